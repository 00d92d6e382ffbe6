using Orchestrator.Core.Scheduling.Admission;

namespace Orchestrator.Core.Scheduling;

/// <summary>One scheduling pass: jobs in order (level, then fair share across tenants, then rank), each placed whole,
/// preempting for it, reserving for it, or skipped; the pass stops early when nothing more can start.</summary>
public sealed partial class PoolScheduler
{
    /// <summary>One pass at the current time: placements to make and preemptions to order. Placements are applied to
    /// the core's own view at once (the caller releases any the nodes refuse).</summary>
    public ScheduleResult Schedule()
    {
        var now = _time.GetUtcNow();
        ApplyAging(now);
        Rerank(now);
        var admitted = RecheckAdmissions();
        var pass = new Pass(now, PreemptionPossible(), _sequence);
        foreach (var (level, tenants) in _levels)
        {
            var cursors = new PriorityQueue<TenantCursor, TenantCursor>(TenantCursor.Order);
            foreach (var tenant in tenants)
            {
                var cursor = new TenantCursor(tenant, tenant.ByLevel[level].Values);
                if (cursor.MoveNext(ShareKey(tenant), dropGroup: false)) cursors.Enqueue(cursor, cursor);
            }

            while (!pass.Stopped && cursors.TryDequeue(out var cursor, out _))
            {
                var outcome = Visit(cursor.Current, pass);
                if (outcome == VisitOutcome.Retry && ++cursor.CurrentGroup.Retries > MaxRetriesPerGroup) outcome = VisitOutcome.DropGroup;
                if (cursor.MoveNext(ShareKey(cursor.Tenant), outcome == VisitOutcome.DropGroup)) cursors.Enqueue(cursor, cursor);
            }

            if (pass.Stopped) break;
        }

        foreach (var placement in pass.Placements) RemoveWaiting(_waiting[placement.Job.Id]);
        _lastReservation = pass.Reservation;
        return new ScheduleResult(pass.Placements, pass.Preemptions, NextWakeUp(now), admitted);
    }

    private double ShareKey(TenantState tenant) => _config.Tuning.FairShare ? tenant.DominantShare(_capacity) : 0;

    /// <summary>Failed tries per group and pass after which the rest of the group waits for the next pass.</summary>
    private const int MaxRetriesPerGroup = 8;

    /// <summary>What the pass does next with the visited job's group.</summary>
    private enum VisitOutcome
    {
        /// <summary>Go on with the group's next job.</summary>
        Next,

        /// <summary>The job failed in a way a later job of the group may not (a backfill estimate, a nomination): go on, within a budget.</summary>
        Retry,

        /// <summary>The rest of the group fails alike in this pass (same shape, priority and tenant): skip it.</summary>
        DropGroup,
    }

    private VisitOutcome Visit(WaitingJob job, Pass pass)
    {
        if (_waitingWithoutGpus == 0 && _nominated == 0 && !pass.PreemptionPossible && (_index.For("")?.FreeGpus ?? 0) == 0)
        {
            pass.Stopped = true;
            return VisitOutcome.DropGroup;
        }

        if (!EverFits(job.Shape)) return VisitOutcome.DropGroup;
        var tenant = job.Tenant;
        var (withinQuota, admission) = QuotaFor(tenant, job.Request, job.Total);
        // A group mixes jobs charged to admitted runs and stepwise ones, which fare differently against the quota.
        if (!withinQuota && !tenant.MayBorrow) return tenant.Reserved > 0 ? VisitOutcome.Next : VisitOutcome.DropGroup;

        var reservation = pass.Reservation is { } r && r.JobId != job.Id && r.Constrains(EstimateOf(job.Request), pass.Now) ? r : null;
        var nominated = job.Nomination is not null;
        var plan = TryPlan(job, reservation, pass);
        if (plan is not null)
        {
            pass.Placements.Add(Commit(job, plan, borrowed: !withinQuota, admission, pass.Now));
            if (reservation is not null)
            {
                foreach (var (node, replicas) in plan) reservation.Consume(node, replicas * job.Shape.Gpus);
            }

            return VisitOutcome.Next;
        }

        if (job.Nomination is null) TryPreempt(job, withinQuota, admission is not null, pass);
        if (!_config.Tuning.Backfill)
        {
            pass.Stopped = true;
            return VisitOutcome.DropGroup;
        }

        if (pass.Reservation is null && job.Nomination is null && _config.Tuning.BackfillMode == BackfillMode.Reserve)
        {
            pass.Reservation = Reserve(job, pass.Now);
        }

        return nominated || reservation is not null ? VisitOutcome.Retry : VisitOutcome.DropGroup;
    }

    /// <summary>A plan from free capacity (and the GPUs held for the job, when nominated), or null; remembers shapes
    /// that failed in this pass, since capacity only shrinks during a pass.</summary>
    private List<(NodeState Node, int Replicas)>? TryPlan(WaitingJob job, BackfillReservation? reservation, Pass pass)
    {
        if (job.Nomination is null)
        {
            var key = (job.Shape, reservation is not null);
            if (pass.FailedShapes.Contains(key)) return null;
            var plan = GangPlanner.Plan(_index, job.Shape, _poolSpec.Packing, reservation);
            if (plan is null) pass.FailedShapes.Add(key);
            return plan;
        }

        var unheld = Unhold(job);
        var nominatedPlan = GangPlanner.Plan(_index, job.Shape, _poolSpec.Packing, reservation);
        if (nominatedPlan is null)
        {
            Rehold(job, unheld);
            if (job.Nomination.Victims.Count == 0) DropNomination(job);
        }

        return nominatedPlan;
    }

    private GangPlacement Commit(WaitingJob job, List<(NodeState Node, int Replicas)> plan, bool borrowed, RunAdmission? admission, DateTimeOffset now)
    {
        DropNomination(job);
        var replicas = new List<ReplicaPlacement>(job.Shape.Replicas);
        foreach (var (node, count) in plan)
        {
            _index.Remove(node);
            for (var i = 0; i < count; i++)
            {
                replicas.Add(new ReplicaPlacement(node.Name, node.Take(job.Id, job.Shape.Gpus)));
                node.FreeCpu -= job.Shape.CpuMillis;
                node.FreeMemory -= job.Shape.MemoryBytes;
            }

            node.Jobs.Add(job.Id);
            if (node.Schedulable) _index.Add(node);
        }

        AddRunning(new RunningJob(job.Request, job.Tenant, replicas, now, ++_sequence), borrowed, admission);
        return new GangPlacement(job.Request, replicas, borrowed);
    }

    private TimeSpan? EstimateOf(JobRequest job) => Durations.EstimateFor(job);

    /// <summary>Whether any node set of the pool, empty, could hold the shape; cached until the nodes change.</summary>
    private bool EverFits(ShapeKey shape)
    {
        if (_everFits.TryGetValue(shape, out var fits)) return fits;
        long replicas = 0;
        foreach (var node in _nodes.Values)
        {
            if (!node.Schedulable || (shape.ModelKey.Length > 0 && node.ModelKey != shape.ModelKey)) continue;
            replicas += shape.ReplicasIn(node.Spec.GpuCount, node.Spec.CpuMillis, node.Spec.MemoryBytes);
            if (replicas >= shape.Replicas) break;
        }

        return _everFits[shape] = replicas >= shape.Replicas;
    }

    private DateTimeOffset? NextWakeUp(DateTimeOffset now)
    {
        var next = NextAgingStep();
        if (_policy.PreemptsByRank && _policy.RerankInterval is { } interval && _running.Count > 0 && _waiting.Count > 0)
        {
            var rerank = now + interval;
            if (next is null || rerank < next) next = rerank;
        }

        return next;
    }

    /// <summary>What one pass carries: its time, its decisions, the failed shapes and the backfill reservation.</summary>
    private sealed class Pass(DateTimeOffset now, bool preemptionPossible, long firstSequence)
    {
        public DateTimeOffset Now { get; } = now;

        /// <summary>Jobs placed in this pass have a higher sequence: they are never its victims.</summary>
        public long FirstSequence { get; } = firstSequence;
        public bool PreemptionPossible { get; } = preemptionPossible;
        public List<GangPlacement> Placements { get; } = [];
        public List<PreemptionOrder> Preemptions { get; } = [];
        public HashSet<(ShapeKey, bool)> FailedShapes { get; } = [];
        public HashSet<(ShapeKey, string)> FailedReclaims { get; } = [];
        public Dictionary<(ShapeKey, bool), int> FailedPriority { get; } = [];
        public Dictionary<(ShapeKey, int, bool), double> FailedRank { get; } = [];
        public BackfillReservation? Reservation { get; set; }
        public bool Stopped { get; set; }
    }

    /// <summary>A tenant's jobs at one level: the heads of its groups merged in rank order; ordered among tenants by
    /// share, then by its next job. A dropped group is not walked further in this pass.</summary>
    private sealed class TenantCursor
    {
        public static IComparer<TenantCursor> Order { get; } = Comparer<TenantCursor>.Create((a, b) =>
        {
            var byShare = a.Share.CompareTo(b.Share);
            return byShare != 0 ? byShare : WaitingOrder.Instance.Compare(a.Current, b.Current);
        });

        private readonly PriorityQueue<GroupCursor, WaitingJob> _heads = new(WaitingOrder.Instance);

        public TenantCursor(TenantState tenant, IEnumerable<SortedSet<WaitingJob>> groups)
        {
            Tenant = tenant;
            foreach (var group in groups)
            {
                var cursor = new GroupCursor(group);
                if (cursor.MoveNext()) _heads.Enqueue(cursor, cursor.Current);
            }
        }

        public TenantState Tenant { get; }
        public WaitingJob Current { get; private set; } = null!;
        public GroupCursor CurrentGroup { get; private set; } = null!;
        public double Share { get; private set; }

        /// <summary>Steps past the current job (and its whole group when dropped); false when nothing is left.</summary>
        public bool MoveNext(double share, bool dropGroup)
        {
            Share = share;
            if (CurrentGroup is not null && !dropGroup && CurrentGroup.MoveNext()) _heads.Enqueue(CurrentGroup, CurrentGroup.Current);
            if (!_heads.TryDequeue(out var next, out _)) return false;
            CurrentGroup = next;
            Current = next.Current;
            return true;
        }
    }

    /// <summary>One group's jobs in rank order, and the failed tries it has had in this pass.</summary>
    private sealed class GroupCursor(SortedSet<WaitingJob> jobs)
    {
        private SortedSet<WaitingJob>.Enumerator _jobs = jobs.GetEnumerator();

        public WaitingJob Current { get; private set; } = null!;
        public int Retries { get; set; }

        public bool MoveNext()
        {
            if (!_jobs.MoveNext()) return false;
            Current = _jobs.Current;
            return true;
        }
    }
}
