namespace Orchestrator.Core.Scheduling.Policies;

/// <summary>The default policy, with no duration oracle and no use of a job's declared duration: least attained
/// service for young jobs, then most attained run time first for old ones. Job sizes in GPU clusters are heavy-tailed
/// but bounded: while a job is young, the less it has had the likelier it is to end soon (so it goes first, in
/// geometric classes of attained GPU-seconds, FIFO within a class, as Tiresias does); once a job has had
/// <see cref="TailGpuSeconds"/> it is one of the long ones, and among those the one that has run longest is nearest
/// its end, so it keeps going and finishes instead of sharing GPUs round-robin with the others (a Gittins-index-like
/// order for a size distribution whose hazard rate falls, then rises). Preempts by rank; ranks of waiting jobs never
/// change and running ones move at class boundaries, which a rerank every minute catches.</summary>
public sealed class DefaultQueuePolicy : IQueuePolicy
{
    /// <summary>Rank origin of the tail: above every young class, and minus the run time of a tail job.</summary>
    private const double TailOrigin = 1e12;

    /// <summary>Creates the policy.</summary>
    /// <param name="firstClassGpuSeconds">Attained GPU-seconds a job may have and still be in the first class
    /// (default 10,000 × <paramref name="classBase"/>; the class boundaries are 10,000 × base^k).</param>
    /// <param name="classBase">Ratio between consecutive young classes (default 4).</param>
    /// <param name="tailGpuSeconds">Attained GPU-seconds from which a job counts as long (default 100,000).</param>
    /// <param name="rerankInterval">How often running jobs' ranks are re-checked (default 1 minute).</param>
    public DefaultQueuePolicy(double firstClassGpuSeconds = 10_000, double classBase = 4, double tailGpuSeconds = 100_000, TimeSpan? rerankInterval = null)
    {
        if (firstClassGpuSeconds <= 0) throw new ArgumentOutOfRangeException(nameof(firstClassGpuSeconds), firstClassGpuSeconds, "must be positive");
        if (classBase <= 1) throw new ArgumentOutOfRangeException(nameof(classBase), classBase, "the class ratio must be above 1");
        if (tailGpuSeconds <= 0) throw new ArgumentOutOfRangeException(nameof(tailGpuSeconds), tailGpuSeconds, "must be positive");
        FirstClassGpuSeconds = firstClassGpuSeconds;
        ClassBase = classBase;
        TailGpuSeconds = tailGpuSeconds;
        RerankInterval = rerankInterval ?? TimeSpan.FromMinutes(1);
    }

    /// <inheritdoc />
    public string Name => "default";

    /// <inheritdoc />
    public bool PreemptsByRank => true;

    /// <inheritdoc />
    public TimeSpan? RerankInterval { get; }

    /// <summary>Unit of the young classes, in attained GPU-seconds.</summary>
    public double FirstClassGpuSeconds { get; }

    /// <summary>Ratio between consecutive young classes.</summary>
    public double ClassBase { get; }

    /// <summary>Attained GPU-seconds from which a job is in the tail.</summary>
    public double TailGpuSeconds { get; }

    /// <inheritdoc />
    public double Rank(in JobView job, DateTimeOffset now)
    {
        var attained = job.AttainedGpuSeconds;
        if (attained < TailGpuSeconds) return Math.Floor(Math.Log(Math.Max(attained / FirstClassGpuSeconds, 1)) / Math.Log(ClassBase));
        var ranSeconds = attained / Math.Max(1, job.Job.Shape.TotalGpus);
        return TailOrigin - ranSeconds;
    }
}
