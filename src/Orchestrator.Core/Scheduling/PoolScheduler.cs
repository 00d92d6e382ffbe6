namespace Orchestrator.Core.Scheduling;

/// <summary>The scheduling core of one pool: the queue, the nodes and what runs on them, quotas and fair share,
/// gang placement with best-fit packing, backfill behind a reserved gang, and preemption decisions. Pure and
/// single-threaded: the scheduler grain and the simulator drive it, time comes from the <see cref="TimeProvider"/>.</summary>
public sealed class PoolScheduler
{
    /// <summary>Creates the core for <paramref name="pool"/>.</summary>
    public PoolScheduler(string pool, SchedulingConfig config, IQueuePolicy policy, TimeProvider time) =>
        throw new NotImplementedException();

    /// <summary>The pool name.</summary>
    public string Pool => throw new NotImplementedException();

    /// <summary>Applies a new configuration (tenants, quotas, classes, tuning) from the next pass on.</summary>
    public void Configure(SchedulingConfig config) => throw new NotImplementedException();

    /// <summary>Adds a node or updates it (labels, size, cordon/drain/lost through <see cref="NodeSpec.Schedulable"/>).
    /// Jobs already on it keep their resources.</summary>
    public void UpsertNode(NodeSpec node) => throw new NotImplementedException();

    /// <summary>Forgets a node; returns the jobs that were running there (the caller requeues or fails them).</summary>
    public IReadOnlyList<string> RemoveNode(string name) => throw new NotImplementedException();

    /// <summary>Queues a job; false when a job with this id is already queued or running.</summary>
    public bool Enqueue(JobRequest job) => throw new NotImplementedException();

    /// <summary>Takes a waiting job out of the queue; false when it is not waiting.</summary>
    public bool Dequeue(string jobId) => throw new NotImplementedException();

    /// <summary>Records a job already running at these places since <paramref name="since"/> (rebuilding after a
    /// restart from what the nodes hold). False when any GPU is unknown or already held.</summary>
    public bool Restore(JobRequest job, IReadOnlyList<ReplicaPlacement> replicas, DateTimeOffset since) =>
        throw new NotImplementedException();

    /// <summary>Frees a running job's resources (finished, failed, cancelled, or stopped after preemption). With
    /// <paramref name="completed"/>, its run time feeds the duration history of its key.</summary>
    public bool Release(string jobId, bool completed) => throw new NotImplementedException();

    /// <summary>One pass at the current time: placements to make and preemptions to order. Placements are applied to
    /// the core's own view at once (the caller releases any the nodes refuse).</summary>
    public ScheduleResult Schedule() => throw new NotImplementedException();

    /// <summary>Why a job is still waiting, in words a user can act on.</summary>
    public PendingExplanation Explain(string jobId) => throw new NotImplementedException();

    /// <summary>Queue length, GPUs free and used, usage per tenant.</summary>
    public PoolUsage Usage() => throw new NotImplementedException();
}

/// <summary>One tenant's use of a pool.</summary>
/// <param name="Tenant">Tenant.</param>
/// <param name="Gpus">GPUs held by its running jobs.</param>
/// <param name="QuotaGpus">Its nominal quota in the pool.</param>
/// <param name="BorrowedGpus">GPUs held beyond its quota.</param>
/// <param name="Queued">Its waiting jobs.</param>
/// <param name="DominantShare">Its weighted dominant share.</param>
public sealed record TenantUsage(string Tenant, int Gpus, int QuotaGpus, int BorrowedGpus, int Queued, double DominantShare);

/// <summary>A pool's state at a glance.</summary>
/// <param name="Pool">Pool.</param>
/// <param name="Nodes">Nodes known.</param>
/// <param name="SchedulableNodes">Nodes taking new work.</param>
/// <param name="TotalGpus">GPUs on schedulable nodes.</param>
/// <param name="FreeGpus">Free GPUs on schedulable nodes.</param>
/// <param name="Queued">Waiting jobs.</param>
/// <param name="Running">Running jobs.</param>
/// <param name="Tenants">Per-tenant use, by name.</param>
public sealed record PoolUsage(string Pool, int Nodes, int SchedulableNodes, int TotalGpus, int FreeGpus, int Queued, int Running,
    IReadOnlyList<TenantUsage> Tenants);
