using System.Globalization;
using Orchestrator.LoadTests.Hosting;
using Orchestrator.LoadTests.Measurement;
using Orchestrator.LoadTests.Reporting;

namespace Orchestrator.LoadTests.Transitions;

/// <summary>The transitions benchmark's tables and JSON line.</summary>
internal sealed class TransitionsReport(ServerUnderTest server, TransitionsSettings settings, IReadOnlyList<RunSample> samples, FakeAgent agent, IReadOnlyList<string> failures)
{
    /// <summary>Writes the summary per size, the growth ratio, where the time went, and the JSON line.</summary>
    public void WriteTo(TextWriter output)
    {
        var sizes = samples.GroupBy(s => s.Size).OrderBy(g => g.Key).Select(Summarize).ToList();
        output.WriteLine();
        var table = new TextTable("N", "runs", "finished", "wall p50 s", "wall min s", "us/transition p50", "transitions/s", "submit p50 ms", "submit attempts max");
        foreach (var s in sizes)
        {
            table.Add(Numbers.Whole(s.Size), Numbers.Whole(s.Runs), s.Finished ? "yes" : "NO", Numbers.Fixed(s.WallMedian, 3), Numbers.Fixed(s.WallMin, 3),
                Numbers.Fixed(s.MicrosPerTransition), Numbers.Whole(1e6 / s.MicrosPerTransition), Numbers.Fixed(s.SubmitMedianMs), Numbers.Whole(s.SubmitAttemptsMax));
        }

        table.WriteTo(output);
        if (sizes.Any(s => !s.Finished))
            output.WriteLine("A size that did not finish shows the time until its run was given up, and the cost per transition seen until then.");
        output.WriteLine();

        double? growth = null;
        double? marginal = null;
        double? placementGrowth = null;
        if (sizes.Count >= 2)
        {
            var (small, large) = (sizes[0], sizes[^1]);
            growth = large.MicrosPerTransition / small.MicrosPerTransition;
            if (large.PlaceMsPerStep is { } largePlace && sizes.Take(sizes.Count - 1).LastOrDefault(x => x.PlaceMsPerStep is not null) is { PlaceMsPerStep: { } basePlace } baseline)
            {
                placementGrowth = largePlace / basePlace;
                output.WriteLine($"placing: {largePlace:F2} ms per step until the last StepPlaced at N={large.Size:N0}, {basePlace:F2} ms at N={baseline.Size:N0} ({placementGrowth:F2}x)");
            }

            if (large.Finished)
            {
                var verdict = growth <= 1.5 ? "does not grow with the run" : "GROWS with the size of the run";
                marginal = (large.WallMedian - small.WallMedian) * 1e6 / ((large.Size - small.Size) * (double)TransitionsSettings.TransitionsPerStep);
                output.WriteLine($"cost of one transition at N={large.Size:N0} / at N={small.Size:N0} = {growth:F2}x ({verdict}); " +
                    $"marginal cost between them {marginal:F1} us/transition");
            }
            else
            {
                growth = null;
                output.WriteLine($"cost of one transition at N={large.Size:N0} / at N={small.Size:N0}: not measurable, the N={large.Size:N0} run did not finish " +
                    $"({large.Median.Timeline.Transitions:N0} of {large.Median.ExpectedTransitions:N0} first-attempt transitions in {large.WallMedian:F1} s, " +
                    $"{large.Median.Timeline.FailedAttempts:N0} failed attempts): the cost GROWS with the size of the run");
            }
        }

        WherePhasesEnd(output, sizes);
        output.WriteLine($"agent: {agent.Assignments:N0} assignments, {agent.Reports:N0} reports, {agent.Acks:N0} acks, {agent.Cancels:N0} cancels");
        foreach (var failure in failures) output.WriteLine($"FAILED: {failure}");

        output.WriteLine($"load average at the end: {MachineLoad.LoadAverage()}");
        output.WriteLine(JsonLine.Of(new
        {
            Benchmark = "transitions",
            Server = server.Description,
            LoadAverageAtEnd = MachineLoad.LoadAverage(),
            TransitionsPerStep = TransitionsSettings.TransitionsPerStep,
            settings.MaxRunsPerSize,
            TimePerSizeSeconds = settings.TimePerSize.TotalSeconds,
            settings.WarmUpRuns,
            Sizes = sizes.Select(s => new
            {
                N = s.Size,
                s.Runs,
                s.Finished,
                TransitionsSeen = s.Median.Timeline.Transitions,
                s.Median.Timeline.FailedAttempts,
                PlaceMsPerStep = s.PlaceMsPerStep is { } place ? Numbers.Round(place, 3) : (double?)null,
                s.Median.Failure,
                WallMedianSeconds = Numbers.Round(s.WallMedian, 4),
                WallMinSeconds = Numbers.Round(s.WallMin, 4),
                MicrosPerTransition = Numbers.Round(s.MicrosPerTransition, 2),
                SubmitMedianMs = Numbers.Round(s.SubmitMedianMs, 2),
                s.SubmitAttemptsMax,
                s.WatchRestarts,
                LastAtSeconds = s.Median.Timeline.LastAt.ToDictionary(kv => kv.Key, kv => Numbers.Round(kv.Value, 4)),
                FinishedAtSeconds = Numbers.Round(s.Median.Timeline.FinishedAt, 4),
                SucceededTenthsSeconds = s.Median.Timeline.SucceededTenths.Select(t => Numbers.Round(t, 4)),
            }),
            GrowthLargestToSmallest = growth is { } g ? Numbers.Round(g, 3) : (double?)null,
            PlacementGrowthLargestToPrevious = placementGrowth is { } pg ? Numbers.Round(pg, 3) : (double?)null,
            MarginalMicrosPerTransition = marginal is { } m ? Numbers.Round(m, 2) : (double?)null,
            Agent = new { agent.Assignments, agent.Reports, agent.Acks, agent.Cancels },
            Failures = failures,
            Ok = failures.Count == 0 && samples.Count > 0,
        }));
    }

    private static void WherePhasesEnd(TextWriter output, IReadOnlyList<SizeSummary> sizes)
    {
        if (sizes.Count == 0) return;
        output.WriteLine();
        output.WriteLine("Where the time goes (median run of each size; seconds after RunSubmitted on the server's clock: the last first-attempt event of each kind):");
        var phases = new TextTable(["N", "submit returned", .. RunTimeline.StepTransitions.Select(t => "last " + t), "RunFinished", "seen by driver"]);
        foreach (var s in sizes)
        {
            var t = s.Median.Timeline;
            phases.Add([Numbers.Whole(s.Size), Numbers.Fixed(s.Median.SubmitSeconds, 3), .. RunTimeline.StepTransitions.Select(k => Numbers.Fixed(t.LastAt[k], 3)),
                Numbers.Fixed(t.FinishedAt, 3), Numbers.Fixed(s.Median.WallSeconds, 3)]);
        }

        phases.WriteTo(output);
        var largest = sizes[^1].Median.Timeline;
        if (largest.SucceededTenths.Count == 10)
        {
            output.WriteLine();
            output.WriteLine($"N={sizes[^1].Size:N0}: seconds each tenth of the steps took to succeed, first to last: " +
                string.Join(" ", largest.SucceededTenths.Select(x => x.ToString("F3", CultureInfo.InvariantCulture))));
        }

        output.WriteLine();
    }

    /// <summary>The median of the finished runs of a size, or, when one did not finish, that run.</summary>
    private static SizeSummary Summarize(IGrouping<int, RunSample> runs)
    {
        var byWall = runs.OrderBy(r => r.WallSeconds).ToList();
        var unfinished = byWall.FirstOrDefault(r => !r.Finished);
        var median = unfinished ?? byWall[(byWall.Count - 1) / 2];
        return new SizeSummary(runs.Key, byWall.Count, unfinished is null, median.WallSeconds, byWall[0].WallSeconds, median.MicrosPerTransition,
            Percentiles.Median(runs.Select(r => r.SubmitSeconds * 1000)), runs.Max(r => r.SubmitAttempts), runs.Sum(r => r.WatchRestarts), median);
    }

    private sealed record SizeSummary(int Size, int Runs, bool Finished, double WallMedian, double WallMin, double MicrosPerTransition, double SubmitMedianMs,
        int SubmitAttemptsMax, int WatchRestarts, RunSample Median)
    {
        /// <summary>Milliseconds per step from RunSubmitted to the last StepPlaced, when every step was placed.</summary>
        public double? PlaceMsPerStep => Median.Timeline.Counts["StepPlaced"] == Size ? Median.Timeline.LastAt["StepPlaced"] * 1000 / Size : null;
    }
}
