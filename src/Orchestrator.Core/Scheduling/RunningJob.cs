using Orchestrator.Core.Scheduling.Admission;

namespace Orchestrator.Core.Scheduling;

/// <summary>A job holding resources: where, since when, whether it borrows, whether it is being preempted.</summary>
internal sealed class RunningJob(JobRequest request, TenantState tenant, IReadOnlyList<ReplicaPlacement> replicas, DateTimeOffset since,
    long sequence)
{
    /// <summary>Oldest start first, then sequence.</summary>
    public static IComparer<RunningJob> ByStart { get; } = Comparer<RunningJob>.Create((a, b) =>
    {
        var bySince = a.Since.CompareTo(b.Since);
        return bySince != 0 ? bySince : a.Sequence.CompareTo(b.Sequence);
    });

    public JobRequest Request { get; } = request;
    public string Id => Request.Id;
    public TenantState Tenant { get; } = tenant;
    public IReadOnlyList<ReplicaPlacement> Replicas { get; } = replicas;
    public DateTimeOffset Since { get; } = since;
    public long Sequence { get; } = sequence;
    public Resources Total { get; } = Resources.Of(request.Shape);
    public bool Borrowed { get; set; }

    /// <summary>The admitted run whose reservation this job is charged to; null for a stepwise job.</summary>
    public RunAdmission? Admission { get; set; }

    /// <summary>Set when a preemption order was issued: it keeps its resources until released.</summary>
    public string? PreemptedFor { get; set; }

    /// <summary>Expected end (start + estimate), or null when there is no estimate.</summary>
    public DateTimeOffset? ExpectedEnd { get; set; }
}
