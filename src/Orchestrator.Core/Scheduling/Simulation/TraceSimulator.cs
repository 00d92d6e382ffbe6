using System.Diagnostics;

namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>A discrete-event simulator that drives the real <see cref="PoolScheduler"/> over a trace with a simulated
/// clock and simulated nodes. Events are arrivals, completions, preemptions taking effect after the grace period, the
/// core's wake-ups and the policy's rerank ticks; all events of one instant are applied, then one scheduling pass
/// runs. Deterministic: the same trace, cluster and policy give the same figures.</summary>
public sealed class TraceSimulator
{
    /// <summary>Simulated time zero: the trace's first instant.</summary>
    public static DateTimeOffset Epoch { get; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SimulationTrace trace;
    private readonly SimulatedCluster cluster;
    private readonly SimulationPolicy policy;
    private readonly SimulatedClock clock = new(Epoch);
    private readonly PoolScheduler scheduler;
    private readonly SimulatedJob[] jobs;
    private readonly Dictionary<string, SimulatedJob> byId = new(StringComparer.Ordinal);
    private readonly PriorityQueue<SimulationEvent, (long Ticks, long Sequence)> events = new();
    private readonly GpuLedger ledger;
    private readonly List<JobOutcome> outcomes = [];
    private long sequence;
    private long pendingWakeUp = long.MaxValue;
    private int waiting;
    private int running;

    /// <summary>Prepares a simulation of <paramref name="trace"/> on <paramref name="cluster"/> under <paramref name="policy"/>.</summary>
    /// <exception cref="SimulationException">A job needs more than the cluster could ever give it.</exception>
    public TraceSimulator(SimulationTrace trace, SimulatedCluster cluster, SimulationPolicy policy)
    {
        this.trace = trace;
        this.cluster = cluster;
        this.policy = policy;
        var nodes = cluster.Nodes();
        ledger = new GpuLedger(nodes);
        jobs = new SimulatedJob[trace.Jobs.Count];
        for (var i = 0; i < jobs.Length; i++)
        {
            var source = trace.Jobs[i];
            var shape = cluster.ShapeFor(source.Gpus);
            if (!cluster.CanEverHold(shape))
            {
                throw new SimulationException($"job {source.Id} ({trace.Path} line {source.Line}) needs {source.Gpus} GPUs as {shape.Replicas} "
                    + $"replica(s) of {shape.PerReplica.Gpus}; a cluster of {cluster.TotalGpus} GPUs in nodes of at most {cluster.LargestNode} "
                    + "can never hold it: give --nodes a larger cluster");
            }

            jobs[i] = new SimulatedJob(i, source, shape);
            byId.Add(source.Id, jobs[i]);
        }

        var pool = new PoolSpec(SchedulingConfig.DefaultPool, new Dictionary<string, string>(), PackingMode.BestFit, SimulatedCluster.RackLabel);

        // Every tenant may borrow everything and has no quota: traces carry no quotas, so fair share and the policy decide.
        var tenants = trace.Jobs.Select(j => j.Tenant).Distinct(StringComparer.Ordinal)
            .Select(t => new TenantSpec(t, 1, new Dictionary<string, ResourceQuota>(), MayBorrow: true)).ToList();
        var config = new SchedulingConfig([pool], tenants, [], policy.Tuning);
        scheduler = new PoolScheduler(SchedulingConfig.DefaultPool, config, policy.Policy, clock);
        foreach (var node in nodes) scheduler.UpsertNode(node);
    }

    /// <summary>Reads nothing, prints nothing: runs <paramref name="trace"/> to completion and returns the figures.</summary>
    public static SimulationResult Run(SimulationTrace trace, SimulatedCluster cluster, SimulationPolicy policy, CancellationToken cancellationToken = default) =>
        new TraceSimulator(trace, cluster, policy).Run(cancellationToken);

    /// <summary>Runs the simulation to the last completion.</summary>
    /// <exception cref="SimulationException">The core stopped placing while jobs waited, or broke an invariant.</exception>
    public SimulationResult Run(CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < jobs.Length; i++) Push(Epoch + jobs[i].Source.Submit, new SimulationEvent(EventKind.Arrival, i, 0));
        long passes = 0;
        while (events.TryPeek(out _, out var at))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = new DateTimeOffset(at.Ticks, TimeSpan.Zero);
            clock.Set(now);
            if (at.Ticks == pendingWakeUp) pendingWakeUp = long.MaxValue;
            while (events.TryPeek(out var next, out var when) && when.Ticks == at.Ticks)
            {
                events.Dequeue();
                Apply(next, now);
            }

            var result = scheduler.Schedule();
            passes++;
            foreach (var placement in result.Placements) Start(placement, now);
            foreach (var order in result.Preemptions) Preempt(order, now);
            PlanWakeUp(result.NextWakeUp, now);
        }

        if (outcomes.Count != jobs.Length)
        {
            var stuck = jobs.Where(j => j.State != JobState.Completed).Take(5).Select(j => $"{j.Source.Id} ({j.Source.Gpus} GPUs, {j.State})");
            throw new SimulationException($"the scheduler stopped placing with {jobs.Length - outcomes.Count} job(s) unfinished and nothing left "
                + $"to happen, e.g. {string.Join(", ", stuck)}");
        }

        return new SimulationResult(policy.Policy.Name, cluster, SimulationMetrics.From(outcomes, cluster.TotalGpus), outcomes, passes, watch.Elapsed);
    }

    private void Apply(SimulationEvent e, DateTimeOffset now)
    {
        var job = e.Kind == EventKind.WakeUp ? null : jobs[e.Job];
        switch (e.Kind)
        {
            case EventKind.Arrival:
                Enqueue(job!);
                break;
            case EventKind.Completion when job!.Token == e.Token && job.State == JobState.Running:
                Stop(job, now);
                job.State = JobState.Completed;
                job.Remaining = TimeSpan.Zero;
                Require(scheduler.Release(job.Source.Id, completed: true), job, "Release(completed) returned false for a running job");
                outcomes.Add(new JobOutcome(job.Source.Id, job.Source.Tenant, job.Source.Gpus, job.Source.Submit.TotalSeconds,
                    (job.FirstStart - Epoch).TotalSeconds, (now - Epoch).TotalSeconds, job.Source.Duration.TotalSeconds, job.HeldGpuSeconds,
                    job.Preemptions));
                break;
            case EventKind.PreemptionTakesEffect when job!.Token == e.Token && job.State == JobState.Terminating:
                Stop(job, now);
                Require(scheduler.Release(job.Source.Id, completed: false), job, "Release(preempted) returned false for a terminating job");
                Enqueue(job);
                break;
        }
    }

    private void Enqueue(SimulatedJob job)
    {
        var request = new JobRequest(job.Source.Id, job.Source.Tenant, 0, job.Shape, Epoch + job.Source.Submit,
            policy.OracleDurations ? job.Remaining : null, job.Source.HistoryKey, Preemptible: true, job.AttainedGpuSeconds);
        Require(scheduler.Enqueue(request), job, "Enqueue returned false for a job that is neither queued nor running");
        job.State = JobState.Waiting;
        waiting++;
    }

    private void Start(GangPlacement placement, DateTimeOffset now)
    {
        if (!byId.TryGetValue(placement.Job.Id, out var job)) throw new SimulationException($"the scheduler placed unknown job {placement.Job.Id}");
        Require(job.State == JobState.Waiting, job, $"placed while {job.State}");
        Require(placement.Replicas.Count == job.Shape.Replicas, job, $"placed {placement.Replicas.Count} replicas, the gang has {job.Shape.Replicas}");
        foreach (var replica in placement.Replicas)
        {
            Require(replica.GpuIndices.Count == job.Shape.PerReplica.Gpus, job,
                $"a replica on {replica.Node} got {replica.GpuIndices.Count} GPUs, it needs {job.Shape.PerReplica.Gpus}");
            if (ledger.Take(replica, job.Source.Id) is { } conflict) Require(false, job, conflict);
        }

        job.Placement = placement.Replicas;
        job.State = JobState.Running;
        job.RunStart = now;
        if (job.FirstStart == default) job.FirstStart = now;
        job.Token++;
        waiting--;
        running++;
        Push(now + job.Remaining, new SimulationEvent(EventKind.Completion, job.Index, job.Token));
    }

    private void Preempt(PreemptionOrder order, DateTimeOffset now)
    {
        if (!byId.TryGetValue(order.JobId, out var job)) throw new SimulationException($"the scheduler preempted unknown job {order.JobId}");
        Require(job.State == JobState.Running, job, $"ordered to stop ({order.Cause}, for {order.ForJobId}) while {job.State}");

        // Progress counts until the order; the grace period that follows is lost work.
        var progress = now - job.RunStart;
        job.Remaining = progress >= job.Remaining ? TimeSpan.Zero : job.Remaining - progress;
        job.AttainedGpuSeconds += progress.TotalSeconds * job.Source.Gpus;
        job.State = JobState.Terminating;
        job.Preemptions++;
        job.Token++;
        Push(now + policy.Tuning.PreemptionGrace, new SimulationEvent(EventKind.PreemptionTakesEffect, job.Index, job.Token));
    }

    private void Stop(SimulatedJob job, DateTimeOffset now)
    {
        job.HeldGpuSeconds += (now - job.RunStart).TotalSeconds * job.Source.Gpus;
        foreach (var replica in job.Placement) ledger.Free(replica);
        job.Placement = [];
        running--;
    }

    private void PlanWakeUp(DateTimeOffset? requested, DateTimeOffset now)
    {
        var wake = requested is { } at && at > now ? at.UtcTicks : long.MaxValue;
        if (policy.Policy.RerankInterval is { } interval && interval > TimeSpan.Zero && waiting > 0 && running > 0)
        {
            wake = Math.Min(wake, (now + interval).UtcTicks);
        }

        // One wake-up in flight is enough: the pass it triggers plans the next one.
        if (wake == long.MaxValue || (pendingWakeUp > now.UtcTicks && pendingWakeUp <= wake)) return;
        pendingWakeUp = wake;
        Push(new DateTimeOffset(wake, TimeSpan.Zero), new SimulationEvent(EventKind.WakeUp, -1, 0));
    }

    private void Push(DateTimeOffset at, SimulationEvent e) => events.Enqueue(e, (at.UtcTicks, sequence++));

    private static void Require(bool condition, SimulatedJob job, string problem)
    {
        if (!condition) throw new SimulationException($"scheduler invariant broken for job {job.Source.Id}: {problem}");
    }

    private enum EventKind
    {
        Arrival,
        Completion,
        PreemptionTakesEffect,
        WakeUp,
    }

    private enum JobState
    {
        Submitted,
        Waiting,
        Running,
        Terminating,
        Completed,
    }

    private readonly record struct SimulationEvent(EventKind Kind, int Job, int Token);

    private sealed class SimulatedJob(int index, TraceJob source, GangShape shape)
    {
        public int Index => index;

        public TraceJob Source => source;

        public GangShape Shape => shape;

        public JobState State { get; set; }

        public TimeSpan Remaining { get; set; } = source.Duration;

        public double AttainedGpuSeconds { get; set; }

        public double HeldGpuSeconds { get; set; }

        public DateTimeOffset RunStart { get; set; }

        public DateTimeOffset FirstStart { get; set; }

        public int Preemptions { get; set; }

        /// <summary>Bumped on each start and preemption so that a stale completion event is ignored.</summary>
        public int Token { get; set; }

        public IReadOnlyList<ReplicaPlacement> Placement { get; set; } = [];
    }
}
