namespace Orchestrator.Core.Scheduling.Policies;

/// <summary>The default policy: shortest expected remaining GPU-service first, with no duration oracle. The expected
/// remaining service comes from the core's estimate (the history of alike jobs) and the attained service: while a job
/// has run less than its estimate it is expected to need the rest of it; once it has outlived its estimate it is
/// taken to be in the long tail and expected to need about as much again as it already had (job sizes are
/// heavy-tailed, so the longer a job has run the longer it will still run). Ranks are discretized into geometric
/// classes so that jobs of one class do not preempt each other back and forth; FIFO within a class.</summary>
public sealed class DefaultQueuePolicy : IQueuePolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="classBase">Ratio between consecutive rank classes of expected remaining GPU-seconds (default 4).</param>
    /// <param name="unknownGpuSeconds">Expected GPU-seconds of a job with no history (default 3,600).</param>
    /// <param name="rerankInterval">How often running jobs' classes are re-checked (default 1 minute).</param>
    public DefaultQueuePolicy(double classBase = 4, double unknownGpuSeconds = 3600, TimeSpan? rerankInterval = null)
    {
        if (classBase <= 1) throw new ArgumentOutOfRangeException(nameof(classBase), classBase, "the class ratio must be above 1");
        if (unknownGpuSeconds <= 0) throw new ArgumentOutOfRangeException(nameof(unknownGpuSeconds), unknownGpuSeconds, "must be positive");
        ClassBase = classBase;
        UnknownGpuSeconds = unknownGpuSeconds;
        RerankInterval = rerankInterval ?? TimeSpan.FromMinutes(1);
    }

    /// <inheritdoc />
    public string Name => "default";

    /// <inheritdoc />
    public bool PreemptsByRank => true;

    /// <inheritdoc />
    public TimeSpan? RerankInterval { get; }

    /// <summary>Ratio between consecutive rank classes.</summary>
    public double ClassBase { get; }

    /// <summary>Expected GPU-seconds of a job without history.</summary>
    public double UnknownGpuSeconds { get; }

    /// <inheritdoc />
    public double Rank(in JobView job, DateTimeOffset now)
    {
        var remaining = ExpectedRemainingGpuSeconds(job);
        return Math.Floor(Math.Log(Math.Max(remaining, 1)) / Math.Log(ClassBase));
    }

    /// <summary>The GPU-seconds the job is expected to still need.</summary>
    public double ExpectedRemainingGpuSeconds(in JobView job)
    {
        var gpus = Math.Max(1, job.Job.Shape.TotalGpus);
        var attained = job.AttainedGpuSeconds;
        var expected = job.EstimatedDuration is { } estimate ? estimate.TotalSeconds * gpus : UnknownGpuSeconds;
        return attained < expected ? expected - attained : attained;
    }
}
