using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Scheduling;

/// <summary>What a job asks for: <paramref name="Replicas"/> replicas of <paramref name="PerReplica"/>, all placed at
/// once or not at all. A replica never spans nodes; several replicas may share one.</summary>
/// <param name="Replicas">Replica count (1 for a plain step).</param>
/// <param name="PerReplica">CPU, memory, GPUs and optional GPU model of each replica.</param>
public sealed record GangShape(int Replicas, ResourceRequest PerReplica)
{
    /// <summary>GPUs of the whole gang.</summary>
    public int TotalGpus => Replicas * PerReplica.Gpus;
}

/// <summary>A unit of work the scheduling core places: a step attempt in the live system, a trace job in the simulator.</summary>
/// <param name="Id">Unique id (the step attempt's key, or the trace job id).</param>
/// <param name="Tenant">Owning tenant.</param>
/// <param name="Priority">Priority value (higher first), already resolved from a class name.</param>
/// <param name="Shape">What it needs.</param>
/// <param name="SubmittedAt">When it first became ready (kept across preemptions: aging and FIFO order use it).</param>
/// <param name="ExpectedDuration">The user's estimate of its run time, or the simulator's oracle; null when unknown.</param>
/// <param name="HistoryKey">Jobs with the same key are alike (pipeline and step name, or a trace's model name): the core
/// estimates a duration from their history when <paramref name="ExpectedDuration"/> is null. Empty for none.</param>
/// <param name="Preemptible">Whether it may be preempted at all.</param>
/// <param name="AttainedGpuSeconds">GPU-seconds it already received before this queueing (after a preemption): policies
/// rank by it, and a completed run records attained ÷ GPUs plus its last run in the duration history.</param>
/// <param name="AdmittedRun">The run whose whole-run admission this job draws on (see <see cref="PoolScheduler.Admit"/>),
/// or null for a stepwise job. While the run is admitted in the pool, the job is within quota as long as the run's
/// placed GPUs plus its own stay within the run's reservation; otherwise it is judged like any other job.</param>
public sealed record JobRequest(
    string Id,
    string Tenant,
    int Priority,
    GangShape Shape,
    DateTimeOffset SubmittedAt,
    TimeSpan? ExpectedDuration = null,
    string HistoryKey = "",
    bool Preemptible = true,
    double AttainedGpuSeconds = 0,
    string? AdmittedRun = null);

/// <summary>Where one replica goes: a node and exactly these GPU indices.</summary>
/// <param name="Node">Node name.</param>
/// <param name="GpuIndices">GPU indices on that node, ascending.</param>
public sealed record ReplicaPlacement(string Node, IReadOnlyList<int> GpuIndices);

/// <summary>A decision to start a job: every replica's place.</summary>
/// <param name="Job">The job.</param>
/// <param name="Replicas">One entry per replica.</param>
/// <param name="Borrowed">True when this placement takes the tenant beyond its quota (it may be reclaimed).</param>
public sealed record GangPlacement(JobRequest Job, IReadOnlyList<ReplicaPlacement> Replicas, bool Borrowed);

/// <summary>Why a job is preempted.</summary>
public enum PreemptionCause
{
    /// <summary>A job of a higher priority class needs its resources.</summary>
    Priority,

    /// <summary>Its tenant borrowed beyond quota and the lender needs the quota back.</summary>
    Reclaim,

    /// <summary>The queue policy ranks a waiting job of the same priority ahead of it (SRTF, least attained service).</summary>
    Rank,
}

/// <summary>A decision to stop a running job so that another can run. The job keeps its resources until it is
/// released (after SIGTERM and at most the grace period); it then goes back to the queue without using a retry.</summary>
/// <param name="JobId">The job to stop.</param>
/// <param name="Cause">Why.</param>
/// <param name="ForJobId">The waiting job that needs the resources.</param>
/// <param name="Reason">The reason in words, for the run's history.</param>
public sealed record PreemptionOrder(string JobId, PreemptionCause Cause, string ForJobId, string Reason);

/// <summary>The outcome of one scheduling pass.</summary>
/// <param name="Placements">Jobs to start, in decision order.</param>
/// <param name="Preemptions">Running jobs to stop.</param>
/// <param name="NextWakeUp">When the core wants another pass even if nothing happens (aging, a reservation to
/// re-check); null when only events can change anything.</param>
/// <param name="Admitted">Runs whose waiting whole-run admission this pass admitted because room appeared outside
/// <see cref="PoolScheduler.Withdraw"/> (which returns its own): a larger quota, or a released step of a tenant that
/// may not borrow. Null when none.</param>
public sealed record ScheduleResult(IReadOnlyList<GangPlacement> Placements, IReadOnlyList<PreemptionOrder> Preemptions, DateTimeOffset? NextWakeUp,
    IReadOnlyList<string>? Admitted = null)
{
    /// <summary><see cref="Admitted"/>, or empty.</summary>
    public IReadOnlyList<string> AdmittedRuns => Admitted ?? [];
}

/// <summary>A node as one pool's scheduler sees it.</summary>
/// <param name="Name">Node name.</param>
/// <param name="Labels">Labels (topology, GPU model, zone).</param>
/// <param name="GpuModel">Model of its GPUs ("" when it has none).</param>
/// <param name="GpuCount">GPUs, indexed 0..GpuCount-1.</param>
/// <param name="CpuMillis">CPU in thousandths.</param>
/// <param name="MemoryBytes">Memory.</param>
/// <param name="Schedulable">False while cordoned, draining or lost: nothing new is placed there.</param>
public sealed record NodeSpec(string Name, IReadOnlyDictionary<string, string> Labels, string GpuModel, int GpuCount, long CpuMillis,
    long MemoryBytes, bool Schedulable = true);
