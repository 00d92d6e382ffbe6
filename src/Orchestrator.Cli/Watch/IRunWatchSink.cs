using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Watch;

/// <summary>Where a watch shows progress: one line per event, or the live table.</summary>
internal interface IRunWatchSink
{
    /// <summary>The watch has the run's current state (from GetRun).</summary>
    Task StartedAsync(RunWatchState state, CancellationToken cancellationToken);

    /// <summary>An event was applied to <paramref name="state"/>.</summary>
    Task EventAsync(RunWatchState state, RunEvent runEvent, CancellationToken cancellationToken);

    /// <summary>The stream broke; the watch waits <paramref name="delay"/> and reconnects from the last revision.</summary>
    Task ReconnectingAsync(RunWatchState state, int attempt, TimeSpan delay, string problem, CancellationToken cancellationToken);

    /// <summary>The run is finished.</summary>
    Task FinishedAsync(RunWatchState state, CancellationToken cancellationToken);
}
