using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Admission;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Grains.Scheduling;

/// <summary>The queue of ready steps and the placement of one pool of nodes (key: pool name).</summary>
public interface ISchedulerGrain : IGrainWithStringKey
{
    /// <summary>Queues ready step attempts; a repeat is a no-op.</summary>
    Task EnqueueManyAsync(List<PendingStep> steps);

    /// <summary>Takes a step attempt out of the queue.</summary>
    Task RemoveAsync(StepRef step);

    /// <summary>A node of this pool reports its shape, state and allocations.</summary>
    [OneWay]
    Task NodeReportedAsync(PoolNodeReport report);

    /// <summary>A node freed these attempts' resources (keys as <see cref="StepRef.ToString"/>); <paramref name="completed"/>
    /// when they succeeded, so that their run time joins the duration history.</summary>
    [OneWay]
    Task ReleasedAsync(string node, List<string> jobIds, long version, bool completed);

    /// <summary>A node moved to another pool.</summary>
    [OneWay]
    Task NodeLeftAsync(string node);

    /// <summary>Runs a placement pass now.</summary>
    [OneWay]
    Task PlaceAsync();

    /// <summary>Names of the pool's nodes.</summary>
    Task<IReadOnlyList<string>> ListNodesAsync();

    /// <summary>Queue depth and node count.</summary>
    Task<SchedulerStatus> GetStatusAsync();

    /// <summary>Applies a new scheduling configuration from the next pass on; nodes whose labels now match another
    /// pool are handed to it.</summary>
    Task ConfigureAsync(SchedulingConfig config);

    /// <summary>Nodes, GPUs, queue and per-tenant use of the pool.</summary>
    Task<PoolUsage> GetUsageAsync();

    /// <summary>The pool's estimate of how long a step runs (the median of its recent successful runs in this pool), by
    /// history key (pipeline + "/" + step name); null before one has succeeded here.</summary>
    Task<TimeSpan?> GetEstimatedDurationAsync(string historyKey);

    /// <summary>Why these jobs (step attempt keys, <see cref="StepRef.ToString"/>) are still waiting.</summary>
    Task<List<PendingExplanation>> ExplainAsync(List<string> jobIds);

    /// <summary>Asks to reserve the run's peak GPUs against its tenant's quota in this pool (whole-run admission). True
    /// when admitted now; otherwise the run waits and is told through <see cref="IRunGrain.AdmittedAsync"/>. A repeat
    /// answers the current state. Admissions are stored with the scheduler and survive restarts.</summary>
    Task<bool> AdmitAsync(string runId, string tenant, int priority, int gpus);

    /// <summary>Ends the run's admission (the run ended): frees its reservation and admits waiting runs that now fit.</summary>
    Task WithdrawAsync(string runId);

    /// <summary>Why the run still waits for admission in this pool.</summary>
    Task<PendingExplanation> ExplainAdmissionAsync(string runId);
}

/// <summary>What the scheduler reports about itself.</summary>
/// <param name="Queued">Waiting step attempts.</param>
/// <param name="Nodes">Nodes in the pool.</param>
/// <param name="SchedulableNodes">Nodes that take new steps.</param>
/// <param name="Policy">The queue policy it runs.</param>
[GenerateSerializer]
[Alias("orch.scheduler-status")]
public sealed record SchedulerStatus([property: Id(0)] int Queued, [property: Id(1)] int Nodes, [property: Id(2)] int SchedulableNodes,
    [property: Id(3)] string Policy = "");

/// <summary>Stored state of a scheduler: which nodes belong to the pool, and its whole-run admissions. The queue itself
/// is not stored: runs put their ready steps back when they resume, and allocations are stored by the nodes that hold them.</summary>
[GenerateSerializer]
[Alias("orch.scheduler-state")]
public sealed class SchedulerState
{
    /// <summary>Node names.</summary>
    [Id(0)] public SortedSet<string> Nodes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whole-run admissions, admitted and waiting, in the order they were asked for.</summary>
    [Id(1)] public List<AdmissionRecord> Admissions { get; set; } = [];
}
