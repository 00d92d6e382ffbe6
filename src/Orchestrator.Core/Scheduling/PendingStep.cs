using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Scheduling;

/// <summary>A step attempt waiting for a node.</summary>
/// <param name="Step">Which attempt.</param>
/// <param name="Resources">What it needs.</param>
/// <param name="Priority">Higher goes first.</param>
/// <param name="Sequence">Arrival order, for ties.</param>
/// <param name="Tenant">Owning tenant.</param>
/// <param name="ReadySince">When the step first became ready (kept across infrastructure retries and preemptions).</param>
/// <param name="ExpectedDuration">The step's <c>expected_duration</c>, or null.</param>
/// <param name="HistoryKey">Pipeline name + "/" + step name: alike steps share a duration history.</param>
/// <param name="Pools">Pools the step may be placed in; empty for the default pool.</param>
/// <param name="AttainedGpuSeconds">GPU-seconds its earlier, preempted attempts received (what least-attained-service
/// policies rank by, so that a preempted step does not start over as if new).</param>
/// <param name="AdmittedRun">The run id when the run holds a whole-run admission (the step is charged to its
/// reservation); null for a stepwise run.</param>
/// <param name="Replicas">Processes placed together, each with <paramref name="Resources"/> (a gang); 1 for one.</param>
public sealed record PendingStep(StepRef Step, ResourceRequest Resources, int Priority, long Sequence, string Tenant,
    DateTimeOffset? ReadySince = null, TimeSpan? ExpectedDuration = null, string HistoryKey = "", IReadOnlyList<string>? Pools = null,
    double AttainedGpuSeconds = 0, string? AdmittedRun = null, int Replicas = 1)
{
    /// <summary>The pools to queue in: <see cref="Pools"/>, or the default pool when none are named.</summary>
    public IReadOnlyList<string> PoolsOrDefault => Pools is { Count: > 0 } pools ? pools : [SchedulingConfig.DefaultPool];
}

/// <summary>A decision: this step attempt goes to this node with exactly these GPUs.</summary>
/// <param name="Step">The pending step.</param>
/// <param name="Node">Node name.</param>
/// <param name="GpuIndices">GPU indices on that node, ascending.</param>
public sealed record Placement(PendingStep Step, string Node, IReadOnlyList<int> GpuIndices);
