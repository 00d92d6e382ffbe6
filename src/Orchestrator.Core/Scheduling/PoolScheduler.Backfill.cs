namespace Orchestrator.Core.Scheduling;

/// <summary>EASY backfill: the first blocked job gets a reservation computed from the expected ends of running jobs
/// (jobs under a preemption order end within the grace period; jobs with no estimate end "never", so a reservation
/// that waits on one has no start and only its spare GPUs may be backfilled).</summary>
public sealed partial class PoolScheduler
{
    /// <summary>Running jobs walked at most to find a reservation.</summary>
    private const int MaxReservationWalk = 4096;

    private BackfillReservation? Reserve(WaitingJob job, DateTimeOffset now)
    {
        var extra = new Dictionary<NodeState, Resources>();
        DateTimeOffset? start = now;
        List<(NodeState Node, int Replicas)>? plan = null;
        var walked = 0;
        foreach (var (running, end) in EndingOrder(now))
        {
            if (++walked > MaxReservationWalk) return null;
            if (!HypotheticalPlanner.Touches(running, job.Shape, NodeNamed)) continue;
            HypotheticalPlanner.AddFreed(extra, running, job.Shape, NodeNamed);
            start = end is null || start is null ? null : (end > start ? end : start);
            plan = HypotheticalPlanner.Plan(_index, job.Shape, _poolSpec.Packing, extra);
            if (plan is not null) break;
        }

        if (plan is null) return null;
        var spare = new Dictionary<NodeState, int>();
        foreach (var (node, replicas) in plan)
        {
            var atStart = node.FreeGpus + (extra.TryGetValue(node, out var freed) ? freed.Gpus : 0);
            spare[node] = Math.Max(0, atStart - (replicas * job.Shape.Gpus));
        }

        return new BackfillReservation(job.Id, start, spare);
    }

    /// <summary>Running jobs by when they are expected to free their resources: terminating ones first (within the
    /// grace period), then by start plus estimate, then those with no estimate (end null).</summary>
    private IEnumerable<(RunningJob Job, DateTimeOffset? End)> EndingOrder(DateTimeOffset now)
    {
        var graceEnd = now + _config.Tuning.PreemptionGrace;
        foreach (var job in _terminating) yield return (job, graceEnd);
        foreach (var job in _byExpectedEnd)
        {
            if (_terminating.Contains(job)) continue;
            yield return (job, job.ExpectedEnd is { } end ? (end < now ? now : end) : null);
        }
    }
}
