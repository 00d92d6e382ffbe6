using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Watch;

/// <summary>Watch progress as one line per event (text), or one RunEvent JSON object per line (json); for pipes, files and CI.</summary>
internal sealed class LineWatchSink(CliConsole console, OutputFormat format) : IRunWatchSink
{
    /// <inheritdoc />
    public async Task StartedAsync(RunWatchState state, CancellationToken cancellationToken)
    {
        if (format == OutputFormat.Table) await WriteAsync(console.Out, RunEventLine.Status(state.Run), cancellationToken);
    }

    /// <inheritdoc />
    public Task EventAsync(RunWatchState state, RunEvent runEvent, CancellationToken cancellationToken) =>
        WriteAsync(console.Out, format == OutputFormat.Table ? RunEventLine.Format(runEvent) : ProtoOutput.JsonLine(runEvent), cancellationToken);

    /// <inheritdoc />
    public Task ReconnectingAsync(RunWatchState state, int attempt, TimeSpan delay, string problem, CancellationToken cancellationToken) =>
        WriteAsync(console.Error, $"watch: stream broke ({problem}); reconnecting from revision {state.Revision} in {Humanize.Duration(delay)}", cancellationToken);

    /// <inheritdoc />
    public async Task FinishedAsync(RunWatchState state, CancellationToken cancellationToken)
    {
        if (format == OutputFormat.Table) await WriteAsync(console.Out, RunEventLine.Finished(state.Run, console.Clock.GetUtcNow()), cancellationToken);
    }

    private static async Task WriteAsync(TextWriter writer, string line, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync(line.AsMemory(), cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }
}
