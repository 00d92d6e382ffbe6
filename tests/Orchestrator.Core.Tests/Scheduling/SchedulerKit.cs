using Microsoft.Extensions.Time.Testing;

using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Policies;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Builders for scheduling tests: a pool named h200, nodes, jobs and a fake clock.</summary>
internal static class SchedulerKit
{
    public const string PoolName = "h200";
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    public const long Gib = 1024L * 1024 * 1024;

    public static SchedulingConfig Config(
        IReadOnlyList<TenantSpec>? tenants = null,
        PackingMode packing = PackingMode.BestFit,
        bool backfill = true,
        bool fairShare = true,
        IReadOnlyList<PriorityClassSpec>? classes = null,
        TimeSpan? aging = null,
        int maxBoost = 10,
        BackfillMode backfillMode = BackfillMode.Reserve) =>
        new([new PoolSpec(PoolName, new Dictionary<string, string>(), packing)], tenants ?? [], classes ?? [],
            new SchedulingTuning(aging ?? TimeSpan.FromMinutes(10), maxBoost, TimeSpan.FromSeconds(30), backfill, fairShare, backfillMode));

    public static TenantSpec Tenant(string name, int quotaGpus, double weight = 1, bool mayBorrow = true, long? quotaCpu = null) =>
        new(name, weight, new Dictionary<string, ResourceQuota> { [PoolName] = new ResourceQuota(quotaGpus, quotaCpu) }, mayBorrow);

    public static (PoolScheduler Scheduler, FakeTimeProvider Clock) Scheduler(SchedulingConfig? config = null, IQueuePolicy? policy = null)
    {
        var clock = new FakeTimeProvider(Start);
        return (new PoolScheduler(PoolName, config ?? Config(), policy ?? FifoPolicy.Instance, clock), clock);
    }

    public static NodeSpec Node(string name, int gpus = 8, string model = "H200", string rack = "r1", long cpu = 64_000, long memory = 512 * Gib,
        bool schedulable = true) =>
        new(name, new Dictionary<string, string> { ["rack"] = rack }, model, gpus, cpu, memory, schedulable);

    public static JobRequest Job(string id, int gpus = 1, int replicas = 1, string tenant = "ml-team", int priority = 0, int submittedSecond = 0,
        string model = "", long cpu = 1000, long memory = Gib, TimeSpan? expected = null, string historyKey = "", bool preemptible = true) =>
        new(id, tenant, priority, new GangShape(replicas, new ResourceRequest(cpu, memory, gpus, model)), Start.AddSeconds(submittedSecond),
            expected, historyKey, preemptible);

    public static void AddNodes(this PoolScheduler scheduler, params NodeSpec[] nodes)
    {
        foreach (var node in nodes) scheduler.UpsertNode(node);
    }

    public static void EnqueueAll(this PoolScheduler scheduler, params JobRequest[] jobs)
    {
        foreach (var job in jobs) Assert.True(scheduler.Enqueue(job), $"enqueue {job.Id}");
    }

    public static IReadOnlyList<string> PlacedIds(this ScheduleResult result) => result.Placements.Select(p => p.Job.Id).ToList();

    public static GangPlacement PlacementOf(this ScheduleResult result, string id) => result.Placements.Single(p => p.Job.Id == id);

    public static IReadOnlyList<string> Nodes(this GangPlacement placement) => placement.Replicas.Select(r => r.Node).ToList();
}
