namespace Orchestrator.Core.Scheduling.Admission;

/// <summary>One run's whole-run admission in a pool: its peak GPUs, whether they are reserved yet, and what its jobs hold.</summary>
internal sealed class RunAdmission(string runId, TenantState tenant, int priority, int gpus, long sequence)
{
    /// <summary>Higher priority first, then first asked, first admitted.</summary>
    public static IComparer<RunAdmission> QueueOrder { get; } = Comparer<RunAdmission>.Create((a, b) =>
    {
        var byPriority = b.Priority.CompareTo(a.Priority);
        return byPriority != 0 ? byPriority : a.Sequence.CompareTo(b.Sequence);
    });

    public string RunId { get; } = runId;
    public TenantState Tenant { get; } = tenant;
    public int Priority { get; } = priority;
    public int Gpus { get; } = gpus;
    public long Sequence { get; } = sequence;
    public bool Admitted { get; set; }

    /// <summary>GPUs its running jobs hold against the reservation.</summary>
    public int PlacedGpus { get; set; }

    public AdmissionRecord ToRecord() => new(RunId, Tenant.Name, Priority, Gpus, Admitted);
}
