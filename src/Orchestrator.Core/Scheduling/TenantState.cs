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

    public int Queued { get; set; }

    /// <summary>Waiting jobs by level, each in rank order.</summary>
    public Dictionary<int, SortedSet<WaitingJob>> ByLevel { get; } = [];

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
