namespace Orchestrator.Core.Scheduling;

/// <summary>A queued job with what the core derives from it: shape, totals, level, rank and nomination.</summary>
internal sealed class WaitingJob(JobRequest request, TenantState tenant, long sequence)
{
    public JobRequest Request { get; } = request;
    public string Id => Request.Id;
    public TenantState Tenant { get; } = tenant;
    public ShapeKey Shape { get; } = ShapeKey.Of(request.Shape);
    public Resources Total { get; } = Resources.Of(request.Shape);
    public long Sequence { get; } = sequence;

    /// <summary>Effective priority: base plus aging boost.</summary>
    public int Level { get; set; }

    /// <summary>The policy's rank, fixed while waiting unless the policy reranks.</summary>
    public double Rank { get; set; }

    /// <summary>Victims ordered for it and the GPUs held for it; null when not nominated.</summary>
    public Nomination? Nomination { get; set; }
}

/// <summary>Waiting jobs of one tenant at one level: rank, then submission time, then arrival order.</summary>
internal sealed class WaitingOrder : IComparer<WaitingJob>
{
    public static WaitingOrder Instance { get; } = new();

    public int Compare(WaitingJob? x, WaitingJob? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var byRank = x.Rank.CompareTo(y.Rank);
        if (byRank != 0) return byRank;
        var bySubmit = x.Request.SubmittedAt.CompareTo(y.Request.SubmittedAt);
        // Equal submission times (one clock tick, one batch) keep arrival order: first queued, first served.
        return bySubmit != 0 ? bySubmit : x.Sequence.CompareTo(y.Sequence);
    }
}

/// <summary>Preemption ordered for a waiting job: the victims still terminating, and the nodes whose GPUs are held for it.</summary>
internal sealed class Nomination
{
    public HashSet<string> Victims { get; } = new(StringComparer.Ordinal);
    public HashSet<NodeState> Nodes { get; } = [];
}
