using Orchestrator.Core.Scheduling.Admission;

namespace Orchestrator.Core.Scheduling;

/// <summary>A tenant in one pool: its spec, what its running jobs use, and its waiting jobs per level.</summary>
internal sealed class TenantState(string name)
{
    public string Name { get; } = name;
    public double Weight { get; private set; } = 1;
    public ResourceQuota Quota { get; private set; } = new(0);
    public bool MayBorrow { get; private set; } = true;

    /// <summary>Everything its running (and terminating) jobs hold.</summary>
    public Resources Used { get; set; }

    /// <summary>What its jobs placed within quota hold; never above the quota.</summary>
    public Resources WithinQuota { get; set; }

    /// <summary>What its jobs under a preemption order still hold until released.</summary>
    public Resources Terminating { get; set; }

    public int Queued { get; set; }

    /// <summary>GPUs reserved by its admitted runs in this pool.</summary>
    public int Reserved { get; set; }

    /// <summary>What its jobs charged to an admitted run hold (part of <see cref="WithinQuota"/>).</summary>
    public Resources AdmittedUse { get; set; }

    /// <summary>Reserved GPUs its admitted runs do not hold yet: the rest of the tenant may only borrow them.</summary>
    public int UnusedReserved => Math.Max(0, Reserved - AdmittedUse.Gpus);

    /// <summary>Run admissions waiting for quota, by priority (highest first) then arrival.</summary>
    public SortedSet<RunAdmission> AdmissionQueue { get; } = new(RunAdmission.QueueOrder);

    /// <summary>True when its jobs not charged to an admission may take <paramref name="extra"/> within quota: their GPUs
    /// against the quota minus the reservations, CPU and memory against the whole quota.</summary>
    public bool FitsOpenQuota(Resources extra)
    {
        var gpus = WithinQuota.Gpus - AdmittedUse.Gpus + extra.Gpus;
        var all = WithinQuota + extra;
        return gpus <= Quota.Gpus - Reserved && (all with { Gpus = 0 }).Within(Quota with { Gpus = 0 });
    }

    /// <summary>Waiting jobs by level, then by group (shape and base priority: jobs that fit or fail alike), each in rank order.</summary>
    public Dictionary<int, Dictionary<(ShapeKey Shape, int Priority), SortedSet<WaitingJob>>> ByLevel { get; } = [];

    /// <summary>Its running jobs placed beyond quota, oldest first (candidates for reclaim, and for relabelling when room frees).</summary>
    public SortedSet<RunningJob> Borrowing { get; } = new(RunningJob.ByStart);

    public void Apply(TenantSpec? spec, string pool)
    {
        Weight = spec is null || !(spec.Weight > 0) ? 1 : spec.Weight;
        Quota = spec is not null && spec.Quotas.TryGetValue(pool, out var quota) ? quota : new ResourceQuota(0);
        MayBorrow = spec?.MayBorrow ?? true;
    }

    /// <summary>Max over resources of use ÷ pool capacity, divided by the weight.</summary>
    public double DominantShare(Resources capacity) => DominantShare(Used, capacity);

    public double DominantShare(Resources used, Resources capacity)
    {
        var share = 0.0;
        if (capacity.Gpus > 0) share = Math.Max(share, (double)used.Gpus / capacity.Gpus);
        if (capacity.CpuMillis > 0) share = Math.Max(share, (double)used.CpuMillis / capacity.CpuMillis);
        if (capacity.MemoryBytes > 0) share = Math.Max(share, (double)used.MemoryBytes / capacity.MemoryBytes);
        return share / Weight;
    }

    /// <summary>Usage above quota in GPUs (what reclaim may take back).</summary>
    public int GpusAboveQuota => Math.Max(0, Used.Gpus - Quota.Gpus);
}
