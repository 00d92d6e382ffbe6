using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Microsoft.Extensions.Time.Testing;

using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Policies;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Invariants over random pools, tenants, configurations and streams of submissions, passes, releases, requeues
/// and cordons, whole-run admissions and withdrawals: no GPU is held twice, gangs are whole, jobs within quota stay
/// within quota, reservations never exceed the quota, jobs charged to an admitted run are never borrowing, and
/// preemption orders only name preemptible running jobs that the cause allows.</summary>
public sealed class SchedulingProperties
{
    private static readonly string[] Models = ["H200", "A100"];
    private static readonly string[] Tenants = ["t0", "t1", "t2"];

    /// <summary>Ranks by the expected duration and preempts by rank, like SRTF.</summary>
    private sealed class ByEstimate : IQueuePolicy
    {
        public string Name => "by-estimate";
        public bool PreemptsByRank => true;
        public TimeSpan? RerankInterval => TimeSpan.FromMinutes(5);

        public double Rank(in JobView job, DateTimeOffset now) => (job.EstimatedDuration ?? TimeSpan.FromDays(1)).TotalSeconds - job.RanFor.TotalSeconds;
    }

    private sealed record Running(JobRequest Job, GangPlacement Placement, bool Ordered);

    // A fixed replay keeps CI deterministic; change the seed locally to explore (a failure prints the seed of the case).
    [Property(MaxTest = 1000, Replay = "(5273743278592622226,16218983264759405507)")]
    public Property RandomStreams_KeepTheInvariants() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var clock = new FakeTimeProvider(SchedulerKit.Start);
        var tenants = Tenants.Select(t => new TenantSpec(t, random.Next(1, 4),
            new Dictionary<string, ResourceQuota> { [SchedulerKit.PoolName] = new(random.Next(0, 9)) }, random.Next(4) > 0)).ToList();
        var config = new SchedulingConfig(
            [new PoolSpec(SchedulerKit.PoolName, new Dictionary<string, string>(), random.Next(2) == 0 ? PackingMode.BestFit : PackingMode.Spread)],
            tenants, [new PriorityClassSpec("no-preempt", 2, MayPreempt: false)],
            new SchedulingTuning(TimeSpan.FromMinutes(random.Next(1, 30)), random.Next(0, 4), TimeSpan.FromSeconds(30), random.Next(2) == 0,
                random.Next(2) == 0, random.Next(2) == 0 ? BackfillMode.Reserve : BackfillMode.Greedy));
        IQueuePolicy policy = random.Next(2) == 0 ? FifoPolicy.Instance : new ByEstimate();
        var scheduler = new PoolScheduler(SchedulerKit.PoolName, config, policy, clock);

        var nodes = new Dictionary<string, NodeSpec>();
        for (var i = 0; i < random.Next(1, 7); i++)
        {
            var node = SchedulerKit.Node($"n{i}", gpus: new[] { 1, 2, 4, 8 }[random.Next(4)], model: Models[random.Next(2)],
                rack: $"r{random.Next(2)}", cpu: random.Next(4, 65) * 1000L);
            nodes[node.Name] = node;
            scheduler.UpsertNode(node);
        }

        var jobs = new Dictionary<string, JobRequest>();
        var held = new Dictionary<(string Node, int Gpu), string>();
        var running = new Dictionary<string, Running>();
        var failures = new List<string>();
        var nextJob = 0;
        var runs = new Dictionary<string, (string Tenant, int Gpus)>();
        var nextRun = 0;
        for (var step = 0; step < 60; step++)
        {
            switch (random.Next(12))
            {
                case 10:
                    var runId = $"r{nextRun++}";
                    runs[runId] = (Tenants[random.Next(3)], random.Next(0, 9));
                    scheduler.Admit(runId, runs[runId].Tenant, random.Next(0, 2), runs[runId].Gpus);
                    break;
                case 11 when runs.Count > 0:
                    var ended = runs.Keys.ElementAt(random.Next(runs.Count));
                    runs.Remove(ended);
                    scheduler.Withdraw(ended);
                    break;
                case < 4:
                    var gpus = random.Next(0, 5);
                    var job = new JobRequest($"j{nextJob++}", Tenants[random.Next(3)], random.Next(0, 4),
                        new GangShape(random.Next(1, 4), new ResourceRequest(random.Next(0, 8) * 1000L, SchedulerKit.Gib, gpus,
                            random.Next(3) == 0 ? Models[random.Next(2)].ToLowerInvariant() : "")),
                        clock.GetUtcNow(), random.Next(2) == 0 ? TimeSpan.FromMinutes(random.Next(1, 120)) : null, $"k{random.Next(3)}",
                        random.Next(4) > 0);
                    var ofRun = runs.Where(run => run.Value.Tenant == job.Tenant).Select(run => run.Key).ToList();
                    if (ofRun.Count > 0 && random.Next(2) == 0) job = job with { AdmittedRun = ofRun[random.Next(ofRun.Count)] };
                    jobs[job.Id] = job;
                    scheduler.Enqueue(job);
                    break;
                case < 7:
                    var result = scheduler.Schedule();
                    Check(result, scheduler, config, nodes, jobs, held, running, failures);
                    CheckAdmissions(result, scheduler, config, running, failures);
                    break;
                case < 9 when running.Count > 0:
                    var victim = running.Values.ElementAt(random.Next(running.Count));
                    scheduler.Release(victim.Job.Id, completed: random.Next(2) == 0);
                    running.Remove(victim.Job.Id);
                    foreach (var key in held.Where(h => h.Value == victim.Job.Id).Select(h => h.Key).ToList()) held.Remove(key);
                    if (victim.Ordered) scheduler.Enqueue(victim.Job);
                    break;
                case 9:
                    var name = $"n{random.Next(nodes.Count)}";
                    nodes[name] = nodes[name] with { Schedulable = !nodes[name].Schedulable };
                    scheduler.UpsertNode(nodes[name]);
                    break;
            }

            clock.Advance(TimeSpan.FromMinutes(random.Next(0, 20)));
        }

        return failures.Count == 0 ? true.Label("ok") : false.Label(string.Join("; ", failures.Take(5)));
    });

    private static void Check(ScheduleResult result, PoolScheduler scheduler, SchedulingConfig config, Dictionary<string, NodeSpec> nodes,
        Dictionary<string, JobRequest> jobs, Dictionary<(string Node, int Gpu), string> held, Dictionary<string, Running> running,
        List<string> failures)
    {
        foreach (var placement in result.Placements)
        {
            var shape = placement.Job.Shape;
            if (placement.Replicas.Count != shape.Replicas) failures.Add($"{placement.Job.Id}: {placement.Replicas.Count} of {shape.Replicas} replicas");
            foreach (var replica in placement.Replicas)
            {
                var node = nodes[replica.Node];
                if (!node.Schedulable) failures.Add($"{placement.Job.Id} placed on unschedulable {node.Name}");
                if (shape.PerReplica.GpuModel.Length > 0 && !string.Equals(shape.PerReplica.GpuModel, node.GpuModel, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"{placement.Job.Id} wants {shape.PerReplica.GpuModel}, placed on {node.GpuModel}");
                }

                if (replica.GpuIndices.Count != shape.PerReplica.Gpus) failures.Add($"{placement.Job.Id}: replica with {replica.GpuIndices.Count} GPUs");
                foreach (var gpu in replica.GpuIndices)
                {
                    if (gpu < 0 || gpu >= node.GpuCount) failures.Add($"{placement.Job.Id}: GPU {gpu} on {node.Name}");
                    if (!held.TryAdd((replica.Node, gpu), placement.Job.Id)) failures.Add($"GPU {replica.Node}/{gpu} given to {placement.Job.Id} and {held[(replica.Node, gpu)]}");
                }
            }

            running[placement.Job.Id] = new Running(placement.Job, placement, false);
        }

        foreach (var order in result.Preemptions)
        {
            if (!running.TryGetValue(order.JobId, out var victim)) { failures.Add($"order for {order.JobId}, which is not running"); continue; }
            if (victim.Ordered) failures.Add($"second order for {order.JobId}");
            if (!victim.Job.Preemptible) failures.Add($"order for non-preemptible {order.JobId}");
            running[order.JobId] = victim with { Ordered = true };
            var beneficiary = jobs[order.ForJobId];
            switch (order.Cause)
            {
                case PreemptionCause.Priority when victim.Job.Priority >= beneficiary.Priority:
                    failures.Add($"priority order {order.JobId} (priority {victim.Job.Priority}) for a job of priority {beneficiary.Priority}");
                    break;
                case PreemptionCause.Rank when victim.Job.Priority != beneficiary.Priority:
                    failures.Add($"rank order {order.JobId} (priority {victim.Job.Priority}) for a job of priority {beneficiary.Priority}");
                    break;
                case PreemptionCause.Reclaim when !scheduler.IsBorrowing(order.JobId) || (victim.Job.Tenant == beneficiary.Tenant && beneficiary.AdmittedRun is null):
                    failures.Add($"reclaim of {order.JobId}, within quota, or of the same tenant for a job of no admitted run");
                    break;
            }
        }

        foreach (var tenant in config.Tenants)
        {
            var quota = tenant.Quotas[SchedulerKit.PoolName].Gpus;
            var within = running.Values.Where(r => r.Job.Tenant == tenant.Name && !scheduler.IsBorrowing(r.Job.Id)).Sum(r => r.Job.Shape.TotalGpus);
            if (within > quota) failures.Add($"tenant {tenant.Name} holds {within} GPUs within a quota of {quota}");
            var all = running.Values.Where(r => r.Job.Tenant == tenant.Name).Sum(r => r.Job.Shape.TotalGpus);
            if (!tenant.MayBorrow && all > quota) failures.Add($"tenant {tenant.Name} may not borrow but holds {all} of {quota}");
        }

        if (scheduler.Usage().Running != running.Count) failures.Add($"core runs {scheduler.Usage().Running}, model {running.Count}");
    }

    private static void CheckAdmissions(ScheduleResult result, PoolScheduler scheduler, SchedulingConfig config, Dictionary<string, Running> running,
        List<string> failures)
    {
        foreach (var tenant in config.Tenants)
        {
            var quota = tenant.Quotas[SchedulerKit.PoolName].Gpus;
            var reserved = scheduler.Admissions().Where(a => a.Tenant == tenant.Name && a.Admitted).Sum(a => a.Gpus);
            if (reserved > quota) failures.Add($"tenant {tenant.Name} has {reserved} GPUs reserved within a quota of {quota}");
        }

        foreach (var placement in result.Placements)
        {
            if (scheduler.IsChargedToAdmission(placement.Job.Id) && placement.Borrowed) failures.Add($"{placement.Job.Id} of an admitted run placed as borrowed");
        }

        foreach (var id in running.Keys)
        {
            if (scheduler.IsChargedToAdmission(id) && scheduler.IsBorrowing(id)) failures.Add($"{id} of an admitted run is borrowing");
        }
    }
}
