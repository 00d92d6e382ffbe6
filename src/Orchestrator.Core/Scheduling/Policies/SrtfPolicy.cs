namespace Orchestrator.Core.Scheduling.Policies;

/// <summary>Shortest remaining time first: rank = expected duration minus the current run's time, in seconds. With
/// the simulator's oracle the expected duration is the true remaining duration; a job with no estimate goes last.
/// Preempts by rank; ranks of waiting jobs never change and running ones only improve, so no rerank is needed.</summary>
public sealed class SrtfPolicy : IQueuePolicy
{
    /// <inheritdoc />
    public string Name => "srtf";

    /// <inheritdoc />
    public bool PreemptsByRank => true;

    /// <inheritdoc />
    public TimeSpan? RerankInterval => null;

    /// <inheritdoc />
    public double Rank(in JobView job, DateTimeOffset now) => job.EstimatedDuration is { } expected
        ? Math.Max(0, (expected - job.RanFor).TotalSeconds)
        : double.MaxValue;
}
