using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Orchestrator.Grains;

namespace Orchestrator.Gateway.Services;

/// <summary>Turns errors into gRPC statuses in one place: a caller's mistake gets its status with the field and the
/// fix in the message (and the field in the <c>x-orch-field</c> trailer); a timeout or a call rejected while a silo fails
/// over is UNAVAILABLE (retry); anything else is INTERNAL and logged.</summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception e, ServerCallContext context)
    {
        if (e is OrchestratorException error)
        {
            var trailers = new Metadata();
            if (error.Field is not null) trailers.Add("x-orch-field", error.Field);
            // Every field on its own, so that a client can list them one per line (the status detail joins them).
            foreach (var field in error.Fields) trailers.Add(FieldErrorTrailer, System.Text.Encoding.UTF8.GetBytes(FieldErrorText(field)));
            return new RpcException(new Status(Code(error.Kind), error.Message), trailers);
        }

        if (e is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        if (e is TimeoutException)
            return new RpcException(new Status(StatusCode.Unavailable, "the control plane did not answer in time; retry"));
        // A silo died and the cluster has not declared it dead yet (a few seconds): calls to its grains are rejected
        // until their next activation elsewhere. Transient, so retryable, not an internal error.
        if (e is Orleans.Runtime.OrleansMessageRejectionException)
            return new RpcException(new Status(StatusCode.Unavailable, "a silo of the cluster has just left and its work is moving to the others; retry in a few seconds"));

        LogInternal(e, context.Method);
        return new RpcException(new Status(StatusCode.Internal, $"internal error in {context.Method}: {e.GetType().Name}; see the server log"));
    }

    /// <summary>Binary trailer, repeated once per invalid field: <c>path: what is wrong and the fix</c> in UTF-8.</summary>
    public const string FieldErrorTrailer = "x-orch-field-error-bin";

    private static string FieldErrorText(FieldError field) =>
        field.Message.StartsWith(field.Field + ":", StringComparison.Ordinal) ? field.Message : $"{field.Field}: {field.Message}";

    private static StatusCode Code(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        ErrorKind.NotFound => StatusCode.NotFound,
        ErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        ErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        _ => StatusCode.Unknown,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in {Method}")]
    private partial void LogInternal(Exception e, string method);
}
