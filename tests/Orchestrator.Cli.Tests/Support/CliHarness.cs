using System.Text;

using Orchestrator.Cli.Watch;

using Spectre.Console;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>What one in-process orch invocation printed and returned.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Stdout">Standard output as text.</param>
/// <param name="Stderr">Standard error as text.</param>
/// <param name="StdoutBytes">Standard output as bytes (for raw log output).</param>
/// <param name="StderrBytes">Standard error as bytes.</param>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr, byte[] StdoutBytes, byte[] StderrBytes)
{
    /// <summary>Stdout split into lines without trailing blanks (table padding), without the trailing empty line.</summary>
    public IReadOnlyList<string> StdoutLines => Stdout.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()).ToList();

    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the orch command tree in-process with a captured, non-interactive console.</summary>
public static class CliHarness
{
    /// <summary>Reconnects fast so that tests about broken streams finish quickly.</summary>
    internal static ReconnectPolicy FastReconnect { get; } = new(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(10));

    /// <summary>Runs <c>orch ARGS</c> with ORCH_SERVER set to <paramref name="server"/> (when given) and a deadline.</summary>
    public static async Task<CliResult> RunAsync(string? server, params string[] args) =>
        await RunWithEnvironmentAsync(server is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["ORCH_SERVER"] = server }, args);

    /// <summary>Runs <c>orch ARGS</c> with exactly these environment variables.</summary>
    public static Task<CliResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync(environment, interactive: false, args);

    /// <summary>Runs <c>orch ARGS</c> as if stdout were a terminal (live views) or redirected.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, bool interactive, params string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var outWriter = new StreamWriter(stdout, new UTF8Encoding(false)) { AutoFlush = true };
        var errWriter = new StreamWriter(stderr, new UTF8Encoding(false)) { AutoFlush = true };
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(outWriter),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        ansi.Profile.Width = 250;
        var console = new CliConsole
        {
            Out = outWriter,
            Error = errWriter,
            OutBytes = stdout,
            ErrorBytes = stderr,
            Ansi = ansi,
            IsInteractive = interactive,
            Environment = name => environment.GetValueOrDefault(name),
        };

        // A hung command fails the test instead of hanging the run.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var code = await OrchCli.RunAsync(args, console, FastReconnect, deadline.Token);
        Assert.False(deadline.IsCancellationRequested, $"orch {string.Join(' ', args)} did not finish within 30 s");
        return new CliResult(code, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()), stdout.ToArray(), stderr.ToArray());
    }
}
