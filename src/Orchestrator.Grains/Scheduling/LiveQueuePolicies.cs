using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Simulation;

namespace Orchestrator.Grains.Scheduling;

/// <summary>The queue policy a pool's scheduler runs, by the name in <see cref="SchedulingTuning.Policy"/>: the same
/// policy objects the simulator measures, so what ships is what was measured.</summary>
public static class LiveQueuePolicies
{
    /// <summary>The policy called <paramref name="name"/>; throws for a name outside <see cref="SchedulingTuning.PolicyNames"/>
    /// (the configuration is validated before it gets here).</summary>
    public static IQueuePolicy For(string name) =>
        SchedulingTuning.PolicyNames.Contains(name, StringComparer.Ordinal) && SimulationPolicy.ByName(name) is { } policy
            ? policy.Policy
            : throw new ArgumentException($"'{name}' is not a live queue policy; use {string.Join(" or ", SchedulingTuning.PolicyNames)}", nameof(name));
}
