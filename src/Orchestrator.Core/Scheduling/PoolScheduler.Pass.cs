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
        var pass = new Pass(now, PreemptionPossible());
        foreach (var (level, tenants) in _levels)
        {
            var cursors = new PriorityQueue<TenantCursor, TenantCursor>(TenantCursor.Order);
            foreach (var tenant in tenants)
            {
                var cursor = new TenantCursor(tenant, tenant.ByLevel[level]);
                if (cursor.MoveNext(ShareKey(tenant))) cursors.Enqueue(cursor, cursor);
            }

            while (!pass.Stopped && cursors.TryDequeue(out var cursor, out _))
            {
                Visit(cursor.Current, pass);
                if (cursor.MoveNext(ShareKey(cursor.Tenant))) cursors.Enqueue(cursor, cursor);
            }

            if (pass.Stopped) break;
        }

        foreach (var placement in pass.Placements) RemoveWaiting(_waiting[placement.Job.Id]);
        return new ScheduleResult(pass.Placements, pass.Preemptions, NextWakeUp(now));
    }

    private double ShareKey(TenantState tenant) => _config.Tuning.FairShare ? tenant.DominantShare(_capacity) : 0;

    private void Visit(WaitingJob job, Pass pass)
    {
        if (_waitingWithoutGpus == 0 && _nominated == 0 && !pass.PreemptionPossible && (_index.For("")?.FreeGpus ?? 0) == 0)
        {
            pass.Stopped = true;
            return;
        }

        if (!EverFits(job.Shape)) return;
        var tenant = job.Tenant;
        var withinQuota = (tenant.WithinQuota + job.Total).Within(tenant.Quota);
        if (!withinQuota && !tenant.MayBorrow) return;

        var reservation = pass.Reservation is { } r && r.JobId != job.Id && r.Constrains(EstimateOf(job.Request), pass.Now) ? r : null;
        var plan = TryPlan(job, reservation, pass);
        if (plan is not null)
        {
            pass.Placements.Add(Commit(job, plan, borrowed: !withinQuota, pass.Now));
            if (reservation is not null)
            {
                foreach (var (node, replicas) in plan) reservation.Consume(node, replicas * job.Shape.Gpus);
            }

            return;
        }

        if (job.Nomination is null) TryPreempt(job, withinQuota, pass);
        if (!_config.Tuning.Backfill)
        {
            pass.Stopped = true;
            return;
        }

        if (pass.Reservation is null && job.Nomination is null) pass.Reservation = Reserve(job, pass.Now);
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

    private GangPlacement Commit(WaitingJob job, List<(NodeState Node, int Replicas)> plan, bool borrowed, DateTimeOffset now)
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

        AddRunning(new RunningJob(job.Request, job.Tenant, replicas, now, ++_sequence), borrowed);
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
    private sealed class Pass(DateTimeOffset now, bool preemptionPossible)
    {
        public DateTimeOffset Now { get; } = now;
        public bool PreemptionPossible { get; } = preemptionPossible;
        public List<GangPlacement> Placements { get; } = [];
        public List<PreemptionOrder> Preemptions { get; } = [];
        public HashSet<(ShapeKey, bool)> FailedShapes { get; } = [];
        public BackfillReservation? Reservation { get; set; }
        public bool Stopped { get; set; }
    }

    /// <summary>A tenant's jobs at one level, walked in rank order; ordered among tenants by share, then by its next job.</summary>
    private sealed class TenantCursor(TenantState tenant, SortedSet<WaitingJob> jobs)
    {
        public static IComparer<TenantCursor> Order { get; } = Comparer<TenantCursor>.Create((a, b) =>
        {
            var byShare = a.Share.CompareTo(b.Share);
            return byShare != 0 ? byShare : WaitingOrder.Instance.Compare(a.Current, b.Current);
        });

        private SortedSet<WaitingJob>.Enumerator _jobs = jobs.GetEnumerator();

        public TenantState Tenant => tenant;
        public WaitingJob Current { get; private set; } = null!;
        public double Share { get; private set; }

        public bool MoveNext(double share)
        {
            Share = share;
            if (!_jobs.MoveNext()) return false;
            Current = _jobs.Current;
            return true;
        }
    }
}
