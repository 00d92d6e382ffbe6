using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;

namespace Orchestrator.LoadTests.Scoring;

/// <summary>The <c>scoring</c> command: what closing a monitor's window costs in the core (every feature scored against
/// its baseline with every statistic, then the decision), projected to the issue's 10,000 models x 20 features.</summary>
internal static class ScoringCommand
{
    public static Command Create()
    {
        var features = new Option<int>("--features") { Description = "numeric features per model (default 20)", HelpName = "N", DefaultValueFactory = _ => 20 };
        var samples = new Option<string>("--samples") { Description = "window sample sizes to measure, comma-separated (default 1000,200)", HelpName = "N,N", DefaultValueFactory = _ => "1000,200" };
        var models = new Option<int>("--models") { Description = "models the projection is for (default 10,000)", HelpName = "N", DefaultValueFactory = _ => 10_000 };
        var timePerRound = new Option<double>("--time-per-round") { Description = "seconds each measurement closes windows for (default 3)", HelpName = "SECONDS", DefaultValueFactory = _ => 3 };
        var rounds = new Option<int>("--rounds") { Description = "measurements per sample size; the median is reported (default 3)", HelpName = "N", DefaultValueFactory = _ => 3 };
        var command = new Command("scoring", """
            Closing monitor windows in the core, one thread: a MonitorWindow over a baseline of --features numeric
            features (deciles and a 2,000-value sample each) is filled with a window of records and closed, again and
            again, for --time-per-round seconds; the cost per feature and the projected time to score --models models'
            windows (one core, and spread over this machine's cores) are printed for each window sample size. No server.
            """);
        foreach (var option in new Option[] { features, samples, models, timePerRound, rounds }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var featureCount = LoadTestCli.Positive(parse, features, 1000);
            var modelCount = LoadTestCli.Positive(parse, models, 10_000_000);
            var time = LoadTestCli.Seconds(parse, timePerRound, 0.1, 600);
            var roundCount = LoadTestCli.Positive(parse, rounds, 100);
            var sizes = (parse.GetValue(samples) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new UsageException($"--samples: '{s}' is not a positive whole number"))
                .ToList();
            Console.Out.WriteLine($"Orchestrator load test 'scoring': driver built {Hosting.BuildOutput.Configuration}, {Environment.ProcessorCount} cores, 1 thread used");
            Console.Out.WriteLine($"{"sample",7} {"us/feature",11} {"us/window",10} {"projected s (1 core)",21} {"projected s (all cores)",24}  target <= 1 s for {modelCount:N0} models x {featureCount} features");
            foreach (var size in sizes)
            {
                var perFeature = Median(Enumerable.Range(0, roundCount).Select(_ => Measure(featureCount, size, time)).ToList());
                var oneCore = perFeature * featureCount * modelCount / 1e6;
                Console.Out.WriteLine($"{size,7:N0} {perFeature,11:F1} {perFeature * featureCount,10:F0} {oneCore,21:F2} {oneCore / Environment.ProcessorCount,24:F2}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Microseconds per feature scored: windows of <paramref name="sample"/> records (so the reservoir holds
    /// every value, the most a window of that sample size keeps) closed one after another.</summary>
    private static double Measure(int features, int sample, TimeSpan time)
    {
        var random = new Random(42);
        var profile = new BaselineProfile
        {
            Numeric = Enumerable.Range(0, features).ToDictionary(f => $"f{f}", f =>
            {
                var training = Enumerable.Range(0, 2_000).Select(_ => random.NextDouble() + f).ToArray();
                var bins = QuantileBinning.FromReference(training);
                var counts = bins.Count(training);
                return new NumericFeatureProfile { BinEdges = bins.Edges, Proportions = [.. counts.Select(c => c / 2_000.0)], Sample = training };
            }),
        };
        var start = DateTimeOffset.UnixEpoch;
        var window = new MonitorWindow(profile, ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: sample, SampleSize: sample), start);
        var columns = Enumerable.Range(0, features).Select(f => Enumerable.Range(0, sample).Select(_ => random.NextDouble() + f + 0.05).ToArray()).ToList();
        var scoring = new Stopwatch();
        var wall = Stopwatch.StartNew();
        long scored = 0;
        while (wall.Elapsed < time)
        {
            // Filling is the ingestion path (measured by 'drift'); only the close is timed here.
            var filled = columns.Select(c => c[..^1]).ToList();
            window.AddColumns(filled, start);
            scoring.Start();
            var report = window.AddColumns([.. columns.Select(c => c[^1..])], start);
            scoring.Stop();
            if (report is null || report.Scores.Count != features) throw new InvalidOperationException("the window did not close with every feature scored");
            scored += features;
        }

        return scoring.Elapsed.TotalMicroseconds / scored;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
