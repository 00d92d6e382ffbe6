using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Scheduling;

namespace Orchestrator.LoadTests.Scheduler;

/// <summary>One input for both schedulers: nodes of 8 H200 GPUs in racks of 16, and a queue of single-replica jobs of
/// 1, 2, 4 or 8 GPUs from 4 tenants at 3 priorities (the naive first-fit placement cannot express multi-node gangs).</summary>
internal sealed record SchedulerWorkload(IReadOnlyList<NodeSpec> Nodes, IReadOnlyList<JobRequest> Jobs, int Seed)
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly int[] GpuSizes = [1, 1, 1, 1, 2, 2, 4, 4, 8];

    public static SchedulerWorkload Create(int nodes, int jobs, int seed)
    {
        var random = new Random(seed);
        var nodeSpecs = Enumerable.Range(0, nodes)
            .Select(i => new NodeSpec($"node-{i:D5}", new Dictionary<string, string> { ["rack"] = $"rack-{i / 16}" }, "H200", 8, 128_000, 1L << 40))
            .ToList();
        var jobSpecs = Enumerable.Range(0, jobs)
            .Select(i =>
            {
                var gpus = GpuSizes[random.Next(GpuSizes.Length)];
                return new JobRequest($"job-{i:D6}", $"tenant-{random.Next(4)}", random.Next(3),
                    new GangShape(1, new ResourceRequest(gpus * 4000L, gpus * (16L << 30), gpus, "")), Start.AddMilliseconds(i),
                    TimeSpan.FromMinutes(random.Next(5, 600)));
            })
            .ToList();
        return new SchedulerWorkload(nodeSpecs, jobSpecs, seed);
    }

    /// <summary>The first <paramref name="jobs"/> jobs on the same nodes.</summary>
    public SchedulerWorkload Take(int jobs) => this with { Jobs = Jobs.Take(jobs).ToList() };
}
