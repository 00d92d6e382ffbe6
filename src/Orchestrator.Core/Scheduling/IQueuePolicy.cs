namespace Orchestrator.Core.Scheduling;

/// <summary>What a queue policy may look at when it ranks a job.</summary>
/// <param name="Job">The job.</param>
/// <param name="Running">True while it holds resources.</param>
/// <param name="AttainedGpuSeconds">GPU-seconds received so far, including the current run.</param>
/// <param name="RanFor">How long the current run has lasted (zero while waiting).</param>
/// <param name="EstimatedDuration">The job's expected duration if given, else the core's estimate from the history of
/// its <see cref="JobRequest.HistoryKey"/>; null when neither exists.</param>
public readonly record struct JobView(JobRequest Job, bool Running, double AttainedGpuSeconds, TimeSpan RanFor, TimeSpan? EstimatedDuration);

/// <summary>Orders jobs within one priority level and tenant (the core handles priority classes, aging, fair share
/// across tenants, quotas, gangs, packing and backfill around it). Implementations are pure and cheap.</summary>
public interface IQueuePolicy
{
    /// <summary>Short name (fifo, srtf, tiresias, default).</summary>
    string Name { get; }

    /// <summary>Lower goes first. Must not change while a job waits unless <see cref="RerankInterval"/> is set.</summary>
    double Rank(in JobView job, DateTimeOffset now);

    /// <summary>Whether a waiting job may preempt a running one of the same priority whose rank is worse.</summary>
    bool PreemptsByRank { get; }

    /// <summary>How often ranks of running jobs change enough to re-check rank preemption; null when they do not.</summary>
    TimeSpan? RerankInterval { get; }
}
