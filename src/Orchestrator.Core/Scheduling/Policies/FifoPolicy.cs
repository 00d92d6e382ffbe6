namespace Orchestrator.Core.Scheduling.Policies;

/// <summary>First come, first served within a priority and tenant: rank is the submission time; never preempts by rank.</summary>
public sealed class FifoPolicy : IQueuePolicy
{
    /// <summary>The one instance (the policy has no state).</summary>
    public static FifoPolicy Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "fifo";

    /// <inheritdoc />
    public double Rank(in JobView job, DateTimeOffset now) => job.Job.SubmittedAt.UtcTicks;

    /// <inheritdoc />
    public bool PreemptsByRank => false;

    /// <inheritdoc />
    public TimeSpan? RerankInterval => null;
}
