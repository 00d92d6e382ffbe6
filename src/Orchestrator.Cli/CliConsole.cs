using Spectre.Console;

namespace Orchestrator.Cli;

/// <summary>Everything orch reads from and writes to outside itself, so tests can run the command tree in-process.</summary>
internal sealed class CliConsole
{
    /// <summary>Text output (tables, ids, JSON).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Errors and progress notes.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Raw standard output, for log bytes exactly as the step wrote them.</summary>
    public required Stream OutBytes { get; init; }

    /// <summary>Raw standard error, for log bytes exactly as the step wrote them.</summary>
    public required Stream ErrorBytes { get; init; }

    /// <summary>Rich output (tables, colours, the live watch view) over <see cref="Out"/>.</summary>
    public required IAnsiConsole Ansi { get; init; }

    /// <summary>True when stdout is a terminal a person watches: live views instead of one line per event.</summary>
    public required bool IsInteractive { get; init; }

    /// <summary>Reads an environment variable (ORCH_SERVER, ORCH_TENANT, USER).</summary>
    public required Func<string, string?> Environment { get; init; }

    /// <summary>True when orch owns the process: Ctrl+C cancels the running command (tests leave the process alone).</summary>
    public bool HandlesInterrupt { get; init; }

    /// <summary>The clock for ages, durations and the live view's ticking.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The process's own console.</summary>
    public static CliConsole FromProcess()
    {
        var interactive = !Console.IsOutputRedirected;
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });

        // Redirected output has no width; a wide one keeps tables on one line per row for grep and files.
        if (!interactive) ansi.Profile.Width = 240;
        return new CliConsole
        {
            Out = Console.Out,
            Error = Console.Error,
            OutBytes = Console.OpenStandardOutput(),
            ErrorBytes = Console.OpenStandardError(),
            Ansi = ansi,
            IsInteractive = interactive,
            HandlesInterrupt = true,
            Environment = System.Environment.GetEnvironmentVariable,
        };
    }

    /// <summary>Writes raw bytes to stdout after any text already written, so the two never interleave out of order.</summary>
    public async Task WriteOutBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await Out.FlushAsync(cancellationToken);
        await OutBytes.WriteAsync(bytes, cancellationToken);
        await OutBytes.FlushAsync(cancellationToken);
    }

    /// <summary>Writes raw bytes to stderr after any text already written.</summary>
    public async Task WriteErrorBytesAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await Error.FlushAsync(cancellationToken);
        await ErrorBytes.WriteAsync(bytes, cancellationToken);
        await ErrorBytes.FlushAsync(cancellationToken);
    }
}
