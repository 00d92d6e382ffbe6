using Orchestrator.LoadTests.Reporting;

namespace Orchestrator.LoadTests.Scheduler;

/// <summary>Settings of the <c>scheduler</c> benchmark.</summary>
internal sealed record SchedulerSettings(IReadOnlyList<int> NodeCounts, int Queue, long NaiveCellBudget, int Rounds, TimeSpan TimePerRun, int Seed);

/// <summary>Placements per second and µs per decision of the scheduling core against the naive first-fit placement,
/// per pool size: the core on the full queue, and both on the queue capped so the naive scan finishes.</summary>
internal sealed class SchedulerBenchmark(SchedulerSettings settings, TextWriter output)
{
    public int Run()
    {
        var table = new TextTable("nodes", "queue", "core placements/s", "core us/decision", "capped queue", "core us (capped)", "naive us (capped)",
            "naive/core");
        var rows = new List<object>();
        foreach (var nodes in settings.NodeCounts)
        {
            var input = SchedulerWorkload.Create(nodes, settings.Queue, settings.Seed);
            var cappedQueue = (int)Math.Clamp(settings.NaiveCellBudget / nodes, 100, settings.Queue);
            var capped = input.Take(cappedQueue);
            var maxPlacements = Math.Max(settings.Queue, nodes * 8L);
            var core = Median(() => SchedulerRun.Core(input, maxPlacements, settings.TimePerRun));
            var coreCapped = Median(() => SchedulerRun.Core(capped, cappedQueue, settings.TimePerRun));
            var naive = Median(() => SchedulerRun.Naive(capped, cappedQueue, settings.TimePerRun));
            var ratio = coreCapped.MicrosecondsPerDecision > 0 ? naive.MicrosecondsPerDecision / coreCapped.MicrosecondsPerDecision : 0;
            table.Add(Numbers.Whole(nodes), Numbers.Whole(settings.Queue), Numbers.Whole(core.PlacementsPerSecond), Numbers.Fixed(core.MicrosecondsPerDecision, 2),
                Numbers.Whole(cappedQueue), Numbers.Fixed(coreCapped.MicrosecondsPerDecision, 2), Numbers.Fixed(naive.MicrosecondsPerDecision, 2),
                Numbers.Fixed(ratio, 1) + "x");
            output.WriteLine($"nodes {nodes}: core {core.Placements:N0} placements in {core.Passes} passes, {core.Time.TotalMilliseconds:F0} ms; " +
                $"naive {naive.Placements:N0} placements in {naive.Passes} passes, {naive.Time.TotalMilliseconds:F0} ms (queue {cappedQueue:N0})");
            rows.Add(new
            {
                nodes,
                queue = settings.Queue,
                core_placements_per_s = Numbers.Round(core.PlacementsPerSecond, 0),
                core_us_per_decision = Numbers.Round(core.MicrosecondsPerDecision),
                capped_queue = cappedQueue,
                core_capped_us_per_decision = Numbers.Round(coreCapped.MicrosecondsPerDecision),
                naive_capped_us_per_decision = Numbers.Round(naive.MicrosecondsPerDecision),
                naive_over_core = Numbers.Round(ratio, 2),
            });
        }

        output.WriteLine();
        table.WriteTo(output);
        output.WriteLine(JsonLine.Of(new { benchmark = "scheduler", rounds = settings.Rounds, sizes = rows }));
        return 0;
    }

    /// <summary>The run with the median time per decision over the rounds.</summary>
    private SchedulerRunResult Median(Func<SchedulerRunResult> run)
    {
        var results = Enumerable.Range(0, settings.Rounds).Select(_ => run()).OrderBy(r => r.MicrosecondsPerDecision).ToList();
        return results[results.Count / 2];
    }
}
