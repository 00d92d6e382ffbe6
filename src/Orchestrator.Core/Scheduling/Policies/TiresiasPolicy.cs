namespace Orchestrator.Core.Scheduling.Policies;

/// <summary>Tiresias-like discretized two-dimensional least attained service (Gu et al., NSDI'19): a job's queue is
/// the number of thresholds its attained GPU-seconds (GPUs × time run) have passed; lower queues go first, FIFO
/// within a queue (the core breaks equal ranks by submission time). No duration knowledge. Preempts by rank, so a
/// job that reaches a threshold can be displaced by jobs of a lower queue.</summary>
public sealed class TiresiasPolicy : IQueuePolicy
{
    /// <summary>The Tiresias artifact's defaults (SymbioticLab/Tiresias, simulator/jobs.py, schedule dlas-gpu):
    /// three queues split at 3,250 and 7,200 GPU-seconds.</summary>
    public static IReadOnlyList<double> DefaultThresholds { get; } = [3250, 7200];

    private readonly double[] thresholds;

    /// <summary>Creates the policy with ascending <paramref name="thresholdsGpuSeconds"/> (default
    /// <see cref="DefaultThresholds"/>) and the period at which running jobs' queues are re-checked.</summary>
    public TiresiasPolicy(IReadOnlyList<double>? thresholdsGpuSeconds = null, TimeSpan? rerankInterval = null)
    {
        thresholds = [.. thresholdsGpuSeconds ?? DefaultThresholds];
        for (var i = 0; i < thresholds.Length; i++)
        {
            if (thresholds[i] <= 0 || (i > 0 && thresholds[i] <= thresholds[i - 1]))
            {
                throw new ArgumentException("queue thresholds must be positive and ascending", nameof(thresholdsGpuSeconds));
            }
        }

        RerankInterval = rerankInterval ?? TimeSpan.FromMinutes(1);
    }

    /// <inheritdoc />
    public string Name => "tiresias";

    /// <inheritdoc />
    public bool PreemptsByRank => true;

    /// <inheritdoc />
    public TimeSpan? RerankInterval { get; }

    /// <summary>The thresholds between queues, in GPU-seconds.</summary>
    public IReadOnlyList<double> Thresholds => thresholds;

    /// <inheritdoc />
    public double Rank(in JobView job, DateTimeOffset now)
    {
        var queue = 0;
        while (queue < thresholds.Length && job.AttainedGpuSeconds >= thresholds[queue]) queue++;
        return queue;
    }
}
