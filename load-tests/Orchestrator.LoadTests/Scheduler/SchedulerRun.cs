using System.Diagnostics;

using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Policies;

namespace Orchestrator.LoadTests.Scheduler;

/// <summary>What one scheduler did on one input: placements, passes and the time spent inside the scheduler only.</summary>
internal sealed record SchedulerRunResult(string Scheduler, int Nodes, int Queue, long Placements, int Passes, TimeSpan Time)
{
    public double PlacementsPerSecond => Time > TimeSpan.Zero ? Placements / Time.TotalSeconds : 0;
    public double MicrosecondsPerDecision => Placements > 0 ? Time.TotalMicroseconds / Placements : 0;
}

/// <summary>Drives a scheduler the way the scheduler grain does: a pass fills the pool; then, round after round, about 1%
/// of the running jobs finish (picked at random, the same for both schedulers) and a pass refills the pool, until the
/// queue is empty, <c>maxPlacements</c> is reached or the time is up. Only the scheduler's own calls are timed.</summary>
internal static class SchedulerRun
{
    public static SchedulerRunResult Core(SchedulerWorkload input, long maxPlacements, TimeSpan timeLimit)
    {
        var clock = new ManualClock(SchedulerWorkload.Start);
        var scheduler = new PoolScheduler("bench", SchedulingConfig.Default with { Pools = [new PoolSpec("bench", new Dictionary<string, string>())] },
            FifoPolicy.Instance, clock);
        foreach (var node in input.Nodes) scheduler.UpsertNode(node);
        foreach (var job in input.Jobs) scheduler.Enqueue(job);

        var running = new List<string>();
        var random = new Random(input.Seed);
        var timer = new Stopwatch();
        var wall = Stopwatch.StartNew();
        long placements = 0;
        var passes = 0;
        while (true)
        {
            timer.Start();
            var result = scheduler.Schedule();
            timer.Stop();
            passes++;
            placements += result.Placements.Count;
            foreach (var placement in result.Placements) running.Add(placement.Job.Id);
            if (scheduler.Usage().Queued == 0 || placements >= maxPlacements || wall.Elapsed > timeLimit || running.Count == 0) break;
            clock.Advance(TimeSpan.FromSeconds(1));
            for (var finished = Math.Max(1, running.Count / 100); finished > 0; finished--)
            {
                var index = random.Next(running.Count);
                scheduler.Release(running[index], completed: true);
                running[index] = running[^1];
                running.RemoveAt(running.Count - 1);
            }
        }

        return new SchedulerRunResult("core", input.Nodes.Count, input.Jobs.Count, placements, passes, timer.Elapsed);
    }

    public static SchedulerRunResult Naive(SchedulerWorkload input, long maxPlacements, TimeSpan timeLimit)
    {
        var nodes = input.Nodes.ToDictionary(n => n.Name, n => new NaiveNode(n), StringComparer.Ordinal);
        var queue = input.Jobs.Select((job, i) => new PendingStep(new StepRef($"run-{i}", job.Id, 1), job.Shape.PerReplica, job.Priority, i, job.Tenant))
            .ToDictionary(s => s.Step.StepKey, StringComparer.Ordinal);
        var policy = new FirstFitPlacement();
        var running = new List<(string Node, PendingStep Step, IReadOnlyList<int> Gpus)>();
        var random = new Random(input.Seed);
        var timer = new Stopwatch();
        var wall = Stopwatch.StartNew();
        long placements = 0;
        var passes = 0;
        while (true)
        {
            timer.Start();
            var capacities = nodes.Values.Select(n => n.Capacity()).ToList();
            var placed = policy.Place(queue.Values, capacities);
            timer.Stop();
            passes++;
            placements += placed.Count;
            foreach (var placement in placed)
            {
                queue.Remove(placement.Step.Step.StepKey);
                nodes[placement.Node].Take(placement.Step, placement.GpuIndices);
                running.Add((placement.Node, placement.Step, placement.GpuIndices));
            }

            if (queue.Count == 0 || placements >= maxPlacements || wall.Elapsed > timeLimit || running.Count == 0) break;
            for (var finished = Math.Max(1, running.Count / 100); finished > 0; finished--)
            {
                var index = random.Next(running.Count);
                var (node, step, gpus) = running[index];
                nodes[node].Free(step, gpus);
                running[index] = running[^1];
                running.RemoveAt(running.Count - 1);
            }
        }

        return new SchedulerRunResult("naive first-fit", input.Nodes.Count, input.Jobs.Count, placements, passes, timer.Elapsed);
    }

    /// <summary>The naive side's own node bookkeeping (the live grain keeps the same in node grains).</summary>
    private sealed class NaiveNode(Orchestrator.Core.Scheduling.NodeSpec spec)
    {
        private readonly bool[] _allocated = new bool[spec.GpuCount];
        private long _cpuFree = spec.CpuMillis;
        private long _memoryFree = spec.MemoryBytes;

        public NodeCapacity Capacity() => new(spec.Name, spec.Schedulable,
            _allocated.Select((taken, i) => new GpuSlot(i, spec.GpuModel, taken)).ToList(), spec.CpuMillis, spec.MemoryBytes, _cpuFree, _memoryFree, 0);

        public void Take(PendingStep step, IReadOnlyList<int> gpus)
        {
            foreach (var gpu in gpus) _allocated[gpu] = true;
            _cpuFree -= step.Resources.CpuMillis;
            _memoryFree -= step.Resources.MemoryBytes;
        }

        public void Free(PendingStep step, IReadOnlyList<int> gpus)
        {
            foreach (var gpu in gpus) _allocated[gpu] = false;
            _cpuFree += step.Resources.CpuMillis;
            _memoryFree += step.Resources.MemoryBytes;
        }
    }

    /// <summary>A clock the benchmark moves by hand, so aging and history see time pass between rounds.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
