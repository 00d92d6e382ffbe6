using System.Net.Sockets;
using System.Text;

using Grpc.Core;

using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli;

/// <summary>Turns what went wrong into one clear message on stderr and orch's exit code.</summary>
internal static class CliErrors
{
    /// <summary>How to start a server when none answers.</summary>
    public const string StartServerHint = "start it with 'dotnet run --project src/Orchestrator.Server', or point --server (ORCH_SERVER) at a running one";

    /// <summary>Writes <paramref name="error"/> to <paramref name="console"/>'s stderr and returns the exit code for it.</summary>
    public static int Report(Exception error, CliConsole console, string server)
    {
        var (message, code) = Describe(error, server);
        console.Error.WriteLine(message);
        console.Error.Flush();
        return code;
    }

    /// <summary>The message (every line starting with <c>error:</c>) and the exit code for an error.</summary>
    public static (string Message, int ExitCode) Describe(Exception error, string server) => error switch
    {
        CliUsageException usage => (Lines(usage.Message), ExitCodes.BadRequest),
        CliFailureException failure => ($"error: {failure.Message}", ExitCodes.Failure),
        PipelineYamlException yaml => (string.Join(Environment.NewLine, yaml.Errors.Select(e => $"error: {e}")), ExitCodes.BadRequest),
        RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException => ("error: interrupted", ExitCodes.Interrupted),
        RpcException rpc when Unreachable(rpc) is { } reason =>
            ($"error: cannot reach the server at {server} ({reason}); {StartServerHint}", ExitCodes.Failure),
        RpcException { StatusCode: StatusCode.DeadlineExceeded } =>
            ($"error: DEADLINE_EXCEEDED: the server at {server} did not answer within {OrchClient.UnaryTimeout.TotalSeconds:0} s", ExitCodes.Failure),
        RpcException rpc => (RpcMessage(rpc), IsRequestError(rpc.StatusCode) ? ExitCodes.BadRequest : ExitCodes.Failure),
        _ => ($"error: {error.GetType().Name}: {error.Message}", ExitCodes.Failure),
    };

    /// <summary>The status and its detail; a refusal naming several fields lists each on its own line.</summary>
    private static string RpcMessage(RpcException rpc)
    {
        var fields = rpc.Trailers.Where(t => t.IsBinary && t.Key == FieldErrorTrailer).Select(t => Encoding.UTF8.GetString(t.ValueBytes)).ToList();
        var status = StatusName(rpc.StatusCode);
        if (fields.Count < 2) return $"error: {status}: {rpc.Status.Detail}";
        return string.Join(Environment.NewLine, fields.Select(f => $"error: {status}: {f}").Prepend($"error: {status}: {fields.Count} problems; nothing was changed"));
    }

    /// <summary>The server's trailer listing one invalid field (repeated per field).</summary>
    private const string FieldErrorTrailer = "x-orch-field-error-bin";

    private static string Lines(string message) =>
        string.Join(Environment.NewLine, message.Split('\n').Select(line => $"error: {line.TrimEnd('\r')}"));

    /// <summary>The gRPC code's canonical name: <c>InvalidArgument</c> -> <c>INVALID_ARGUMENT</c>.</summary>
    public static string StatusName(StatusCode code)
    {
        var name = code.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) builder.Append('_');
            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }

    // Errors in what the user asked for: fix the request and try again. The rest are the server's or the network's.
    private static bool IsRequestError(StatusCode code) => code is StatusCode.InvalidArgument or StatusCode.NotFound
        or StatusCode.AlreadyExists or StatusCode.FailedPrecondition or StatusCode.ResourceExhausted;

    /// <summary>Why the server could not be reached at all ("connection refused"), or null when it was reached.</summary>
    private static string? Unreachable(RpcException rpc)
    {
        if (rpc.StatusCode != StatusCode.Unavailable) return null;
        for (var e = rpc.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData => "host not found",
                    SocketError.TimedOut => "connection timed out",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                    _ => socket.Message,
                };
            }

            if (e is HttpRequestException { InnerException: null } http) return http.Message;
        }

        return null;
    }
}
