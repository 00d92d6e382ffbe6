namespace Orchestrator.Core.Scheduling;

/// <summary>Preemption for a blocked job: reclaim of borrowed capacity when it is within its quota, then lower
/// priorities, then worse ranks. Only as many victims as needed (lowest priority first, latest started first), and only
/// when the job then fits; victims keep their resources until released, and their GPUs are held for the job.</summary>
public sealed partial class PoolScheduler
{
    /// <summary>Victims examined per attempt at most, so a pass stays bounded on huge pools.</summary>
    private const int MaxCandidatesPerAttempt = 4096;

    private static readonly IComparer<RunningJob> LatestStartedFirst = Comparer<RunningJob>.Create((a, b) => RunningJob.ByStart.Compare(b, a));
    private static readonly IComparer<RunningJob> ByExpectedEnd = Comparer<RunningJob>.Create((a, b) =>
    {
        var byEnd = (a.ExpectedEnd ?? DateTimeOffset.MaxValue).CompareTo(b.ExpectedEnd ?? DateTimeOffset.MaxValue);
        return byEnd != 0 ? byEnd : a.Sequence.CompareTo(b.Sequence);
    });

    /// <summary>Preemptible running jobs without an order, by base priority, each latest started first.</summary>
    private readonly SortedDictionary<int, SortedSet<RunningJob>> _victims = [];
    private readonly SortedSet<RunningJob> _byExpectedEnd = new(ByExpectedEnd);
    private readonly HashSet<RunningJob> _terminating = [];

    private void OnRunningAdded(RunningJob job)
    {
        _byExpectedEnd.Add(job);
        if (!job.Request.Preemptible) return;
        if (!_victims.TryGetValue(job.Request.Priority, out var set)) _victims[job.Request.Priority] = set = new SortedSet<RunningJob>(LatestStartedFirst);
        set.Add(job);
    }

    private void OnRunningRemoved(RunningJob job)
    {
        _byExpectedEnd.Remove(job);
        if (_terminating.Remove(job)) job.Tenant.Terminating -= job.Total;
        RemoveVictimCandidate(job);
    }

    private void RemoveVictimCandidate(RunningJob job)
    {
        if (!_victims.TryGetValue(job.Request.Priority, out var set) || !set.Remove(job) || set.Count > 0) return;
        _victims.Remove(job.Request.Priority);
    }

    /// <summary>Whether any waiting job could preempt anything at all (else a full pool ends the pass at once).</summary>
    private bool PreemptionPossible()
    {
        if (_victims.Count == 0 || _waiting.Count == 0) return false;
        if (_policy.PreemptsByRank) return true;
        if (_waitingByPriority.Keys.Last() > _victims.Keys.First()) return true;
        var someoneBorrows = false;
        var someoneHasRoom = false;
        foreach (var tenant in _tenants.Values)
        {
            someoneBorrows |= tenant.Borrowing.Count > 0 && tenant.Used.Gpus - tenant.Terminating.Gpus > tenant.Quota.Gpus - tenant.UnusedReserved;
            someoneHasRoom |= tenant.Queued > 0 && tenant.WithinQuota.Gpus < tenant.Quota.Gpus;
        }

        return someoneBorrows && someoneHasRoom;
    }

    private void TryPreempt(WaitingJob job, bool withinQuota, bool admitted, Pass pass)
    {
        if (!pass.PreemptionPossible) return;
        var shape = job.Shape;
        // A job charged to an admitted run may also reclaim its own tenant's borrowing jobs: they borrow its reservation.
        if (withinQuota && pass.FailedReclaims.Add((shape, admitted ? job.Tenant.Name + "\u0001admitted" : job.Tenant.Name)))
        {
            if (PreemptFor(job, PreemptionCause.Reclaim, ReclaimCandidates(job, admitted), pass)) return;
        }

        var priority = job.Request.Priority;
        var classAllows = !_classes.TryGetValue(priority, out var priorityClass) || priorityClass.MayPreempt;
        if (classAllows && _victims.Count > 0 && _victims.Keys.First() < priority
            && !(pass.FailedPriority.TryGetValue((shape, withinQuota), out var failedAt) && priority <= failedAt))
        {
            if (PreemptFor(job, PreemptionCause.Priority, PriorityCandidates(job, withinQuota), pass)) return;
            pass.FailedPriority[(shape, withinQuota)] = Math.Max(priority, pass.FailedPriority.GetValueOrDefault((shape, withinQuota), int.MinValue));
        }

        if (_policy.PreemptsByRank && _victims.ContainsKey(priority)
            && !(pass.FailedRank.TryGetValue((shape, priority, withinQuota), out var failedRank) && job.Rank >= failedRank))
        {
            if (PreemptFor(job, PreemptionCause.Rank, RankCandidates(job, withinQuota, pass.Now), pass)) return;
            pass.FailedRank[(shape, priority, withinQuota)] = Math.Min(job.Rank, pass.FailedRank.GetValueOrDefault((shape, priority, withinQuota), double.MaxValue));
        }
    }

    /// <summary>Borrowed jobs of other tenants (and of its own tenant, for a job charged to an admitted run), lowest
    /// priority first; never more of a tenant than its use above the quota it has open (its quota less its reserved but
    /// unused GPUs).</summary>
    private IEnumerable<RunningJob> ReclaimCandidates(WaitingJob job, bool admitted)
    {
        var taken = new Dictionary<TenantState, int>();
        foreach (var (_, set) in _victims)
        {
            foreach (var victim in set)
            {
                if (!victim.Borrowed || (victim.Tenant == job.Tenant && !admitted)) continue;
                var tenant = victim.Tenant;
                var already = taken.GetValueOrDefault(tenant);
                if (tenant.Used.Gpus - tenant.Terminating.Gpus - already - victim.Total.Gpus < tenant.Quota.Gpus - tenant.UnusedReserved) continue;
                taken[tenant] = already + victim.Total.Gpus;
                yield return victim;
            }
        }
    }

    /// <summary>Jobs of strictly lower base priority; a job that would borrow may only displace borrowed jobs.</summary>
    private IEnumerable<RunningJob> PriorityCandidates(WaitingJob job, bool withinQuota)
    {
        foreach (var (priority, set) in _victims)
        {
            if (priority >= job.Request.Priority) yield break;
            foreach (var victim in set)
            {
                if (withinQuota || victim.Borrowed) yield return victim;
            }
        }
    }

    /// <summary>Jobs of the same base priority that the policy ranks strictly worse than the waiting job.</summary>
    private IEnumerable<RunningJob> RankCandidates(WaitingJob job, bool withinQuota, DateTimeOffset now)
    {
        if (!_victims.TryGetValue(job.Request.Priority, out var set)) yield break;
        foreach (var victim in set)
        {
            if ((withinQuota || victim.Borrowed) && RunningRank(victim, now) > job.Rank) yield return victim;
        }
    }

    private double RunningRank(RunningJob job, DateTimeOffset now)
    {
        var ranFor = now > job.Since ? now - job.Since : TimeSpan.Zero;
        var attained = job.Request.AttainedGpuSeconds + (job.Total.Gpus * ranFor.TotalSeconds);
        return _policy.Rank(new JobView(job.Request, true, attained, ranFor, Durations.EstimateFor(job.Request)), now);
    }

    /// <summary>Adds candidates until the job fits on free capacity plus what they free, keeps only the ones on the
    /// nodes it would use, drops any it can do without, then orders them and nominates the job.</summary>
    private bool PreemptFor(WaitingJob job, PreemptionCause cause, IEnumerable<RunningJob> candidates, Pass pass)
    {
        var chosen = new List<RunningJob>();
        var extra = new Dictionary<NodeState, Resources>();
        List<(NodeState Node, int Replicas)>? plan = null;
        var examined = 0;
        foreach (var victim in candidates)
        {
            if (++examined > MaxCandidatesPerAttempt) return false;
            if (victim.Sequence > pass.FirstSequence) continue;
            if (!HypotheticalPlanner.Touches(victim, job.Shape, NodeNamed)) continue;
            chosen.Add(victim);
            HypotheticalPlanner.AddFreed(extra, victim, job.Shape, NodeNamed);
            plan = HypotheticalPlanner.Plan(_index, job.Shape, _poolSpec.Packing, extra);
            if (plan is not null) break;
        }

        if (plan is null) return false;
        var planNodes = plan.Select(p => p.Node.Name).ToHashSet(StringComparer.Ordinal);
        chosen = chosen.Where(v => v.Replicas.Any(r => planNodes.Contains(r.Node))).ToList();
        for (var i = chosen.Count - 1; i >= 0 && chosen.Count > 1; i--)
        {
            var without = chosen.Where((_, j) => j != i).ToList();
            if (PlanWith(job.Shape, without) is { } smaller)
            {
                chosen = without;
                plan = smaller;
            }
        }

        plan = PlanWith(job.Shape, chosen) ?? plan;
        foreach (var victim in chosen)
        {
            victim.PreemptedFor = job.Id;
            RemoveVictimCandidate(victim);
            _terminating.Add(victim);
            victim.Tenant.Terminating += victim.Total;
            pass.Preemptions.Add(new PreemptionOrder(victim.Id, cause, job.Id, ReasonFor(cause, victim, job)));
        }

        Nominate(job, chosen, plan.Select(p => (p.Node, p.Replicas * job.Shape.Gpus)));
        return true;
    }

    private List<(NodeState Node, int Replicas)>? PlanWith(ShapeKey shape, List<RunningJob> victims)
    {
        var extra = new Dictionary<NodeState, Resources>();
        foreach (var victim in victims) HypotheticalPlanner.AddFreed(extra, victim, shape, NodeNamed);
        return HypotheticalPlanner.Plan(_index, shape, _poolSpec.Packing, extra);
    }

    private NodeState? NodeNamed(string name) => _nodes.GetValueOrDefault(name);

    private string ReasonFor(PreemptionCause cause, RunningJob victim, WaitingJob job) => cause switch
    {
        PreemptionCause.Reclaim when victim.Tenant == job.Tenant =>
            $"this job of tenant {job.Tenant.Name} borrows GPUs reserved for admitted run {job.Request.AdmittedRun} in pool {Pool}, whose job {job.Id} needs them",
        PreemptionCause.Reclaim => $"tenant {victim.Tenant.Name} borrows {victim.Tenant.GpusAboveQuota} GPUs above its quota of " +
            $"{victim.Tenant.Quota.Gpus} in pool {Pool}; tenant {job.Tenant.Name} needs its quota back for job {job.Id}",
        PreemptionCause.Priority => $"job {job.Id} of priority {job.Request.Priority} needs the GPUs of this job of priority {victim.Request.Priority}",
        _ => $"job {job.Id} ranks ahead of this job under policy {_policy.Name}",
    };
}
