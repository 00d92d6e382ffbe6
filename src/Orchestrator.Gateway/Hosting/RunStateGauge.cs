using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Prometheus;

namespace Orchestrator.Gateway.Hosting;

/// <summary><c>orchestrator_runs{state}</c>: runs per state, read from the run index when Prometheus scrapes.</summary>
public static class RunStateGauge
{
    private static readonly Gauge Runs = Metrics.CreateGauge("orchestrator_runs", "Runs known to the run index, by state.", "state");

    /// <summary>Refreshes the gauge before every collection.</summary>
    public static void Register(IRunIndex index) =>
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async cancellationToken =>
        {
            var counts = await index.CountByStateAsync();
            foreach (var state in Enum.GetValues<RunState>())
                Runs.WithLabels(state.ToString().ToLowerInvariant()).Set(counts.GetValueOrDefault(state));
        });
}
