using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

using Orchestrator.Core.Drift;
using Orchestrator.Core.Monitoring;
using Orchestrator.LoadTests.Measurement;

namespace Orchestrator.LoadTests.Scoring;

/// <summary>The <c>scoring</c> command: what closing a monitor's window costs in the core (every feature scored against
/// its baseline with every statistic, then the decision), projected to the issue's 10,000 models x 20 features, beside
/// the previous implementation on the same data; then what ingestion into a window costs.</summary>
internal static class ScoringCommand
{
    public static Command Create()
    {
        var features = new Option<int>("--features") { Description = "numeric features per model (default 20)", HelpName = "N", DefaultValueFactory = _ => 20 };
        var samples = new Option<string>("--samples") { Description = "window sample sizes to measure, comma-separated (default 1000,500,200)", HelpName = "N,N", DefaultValueFactory = _ => "1000,500,200" };
        var models = new Option<int>("--models") { Description = "models the projection is for (default 10,000)", HelpName = "N", DefaultValueFactory = _ => 10_000 };
        var parallelModels = new Option<int>("--parallel-models") { Description = "models whose windows close at once in the all-cores measurement (default 256)", HelpName = "N", DefaultValueFactory = _ => 256 };
        var timePerRound = new Option<double>("--time-per-round") { Description = "seconds each measurement runs for (default 2)", HelpName = "SECONDS", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds") { Description = "measurements per figure; the median is reported (default 3)", HelpName = "N", DefaultValueFactory = _ => 3 };
        var command = new Command("scoring", """
            Closing monitor windows in the core: MonitorWindows over a baseline of --features numeric features (deciles
            and a 2,000-value sample each) are filled with fresh windows of records (shifted by 0.05) and closed, for
            --time-per-round seconds per measurement; only the close is timed. Per window sample size: the original
            implementation and the first pass's (radix sort, merged pass) on the same kind of data, the current one on one thread, the projection to --models models,
            and --parallel-models monitors closing at once on every core (Parallel.For over models, as grains would),
            projected to --models. Then ingestion: feature values binned and sampled per second on one thread. No server.
            """);
        foreach (var option in new Option[] { features, samples, models, parallelModels, timePerRound, rounds }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var featureCount = LoadTestCli.Positive(parse, features, 1000);
            var modelCount = LoadTestCli.Positive(parse, models, 10_000_000);
            var concurrent = LoadTestCli.Positive(parse, parallelModels, 100_000);
            var time = LoadTestCli.Seconds(parse, timePerRound, 0.1, 600);
            var roundCount = LoadTestCli.Positive(parse, rounds, 100);
            var sizes = (parse.GetValue(samples) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 1 ? n : throw new UsageException($"--samples: '{s}' is not a whole number above 1"))
                .ToList();
            var cores = Environment.ProcessorCount;
            Console.Out.WriteLine($"Orchestrator load test 'scoring': driver built {Hosting.BuildOutput.Configuration}, {cores} cores, load average {LoadAverage()}");
            Console.Out.WriteLine($"one-thread figures are {(ThreadCpuClock.IsCpuTime ? "the thread's CPU time" : "wall time")}; the all-cores figure is wall time");
            Console.Out.WriteLine($"medians of {roundCount} rounds; target <= 1 s to score {modelCount:N0} models x {featureCount} features (the all-cores figure)");
            Console.Out.WriteLine($"{"sample",7} {"original us/f",14} {"first pass us/f",16} {"us/feature",11} {"vs first",9} {"p-value us/f*",14} {"fill us/f**",12} {"1 core s",9} {"all cores s",12}");
            foreach (var size in sizes)
            {
                var workload = new ScoringWorkload(featureCount, size, 42);
                var original = Median(roundCount, () => MeasurePrevious(workload, time));
                var firstPass = Median(roundCount, () => MeasureFirstPass(workload, time));
                var (perFeature, pValue, fill) = MedianOf(roundCount, () => MeasureOneThread(workload, time));
                var oneCore = perFeature * featureCount * modelCount / 1e6;
                var allCores = Median(roundCount, () => MeasureAllCores(workload, concurrent, time)) * modelCount;
                Console.Out.WriteLine($"{size,7:N0} {original,14:F1} {firstPass,16:F1} {perFeature,11:F2} {firstPass / perFeature,8:F1}x {pValue,14:F1} {fill,12:F1} {oneCore,9:F2} {allCores,12:F2}");
            }

            Console.Out.WriteLine("* what the KS p-value alone costs per feature when computed afresh; monitors share a cache of p-values by exact inputs");
            Console.Out.WriteLine("** filling the window before its close, per feature (binning, the reservoir, and placing each kept value in its baseline gap), not timed in us/feature");
            var ingestion = new ScoringWorkload(featureCount, 1_000, 43);
            var columns = Median(roundCount, () => IngestionMeasurement.ColumnsPerSecond(ingestion, time));
            var records = Median(roundCount, () => IngestionMeasurement.RecordsPerSecond(ingestion, time));
            Console.Out.WriteLine($"ingestion, one thread, {featureCount} features per record, windows of 10,000 records closing as they fill:");
            Console.Out.WriteLine($"  AddColumns (batches of 1,000 records): {columns / 1e6,6:F1} M feature values/s (target >= 10 M/s per core)");
            Console.Out.WriteLine($"  Add (one record by feature name):      {records / 1e6,6:F1} M feature values/s");
            return 0;
        });
        return command;
    }

    /// <summary>Microseconds per feature of the previous implementation, one thread.</summary>
    private static double MeasurePrevious(ScoringWorkload workload, TimeSpan time)
    {
        var previous = new PreviousScoring(workload.Baseline);
        var timer = new ThreadCpuClock();
        var wall = Stopwatch.StartNew();
        long scored = 0;
        while (wall.Elapsed < time)
        {
            var columns = workload.NextWindow();
            var counts = previous.Count(columns);
            timer.Start();
            scored += previous.ScoreWindow(columns, counts);
            timer.Stop();
        }

        return timer.ElapsedMicroseconds / scored;
    }

    /// <summary>Microseconds per feature of the first pass's path (radix sort, merged pass), one thread.</summary>
    private static double MeasureFirstPass(ScoringWorkload workload, TimeSpan time)
    {
        var firstPass = new FirstPassScoring(workload.Baseline, workload.Sample);
        var timer = new ThreadCpuClock();
        var wall = Stopwatch.StartNew();
        long scored = 0;
        while (wall.Elapsed < time)
        {
            var columns = workload.NextWindow();
            var counts = firstPass.Count(columns);
            timer.Start();
            scored += firstPass.ScoreWindow(columns, counts);
            timer.Stop();
        }

        return timer.ElapsedMicroseconds / scored;
    }

    /// <summary>Microseconds per feature to close one monitor's windows on one thread, what the KS p-values of those
    /// windows would cost computed afresh, and what filling them cost.</summary>
    private static (double PerFeature, double PValue, double Fill) MeasureOneThread(ScoringWorkload workload, TimeSpan time)
    {
        var window = workload.NewMonitor();
        var filling = new ThreadCpuClock();
        var timer = new ThreadCpuClock();
        var wall = Stopwatch.StartNew();
        var statistics = new List<double>();
        while (wall.Elapsed < time)
        {
            var columns = workload.NextWindow();
            var butOne = ScoringWorkload.AllButLast(columns);
            filling.Start();
            window.AddColumns(butOne, DateTimeOffset.UnixEpoch);
            filling.Stop();
            timer.Start();
            var report = ScoringWorkload.Close(window, columns, workload.Features);
            timer.Stop();
            foreach (var score in report.Scores) statistics.Add(score.KolmogorovSmirnov!.Statistic);
        }

        var fresh = new ThreadCpuClock();
        fresh.Start();
        foreach (var d in statistics) KolmogorovSmirnovTest.PValue(d, 2_000, workload.Sample, KolmogorovSmirnovMethod.Asymptotic);
        fresh.Stop();
        return (timer.ElapsedMicroseconds / statistics.Count, fresh.ElapsedMicroseconds / statistics.Count, filling.ElapsedMicroseconds / statistics.Count);
    }

    /// <summary>Seconds of wall time per model window when <paramref name="models"/> monitors close at once on every core.</summary>
    private static double MeasureAllCores(ScoringWorkload workload, int models, TimeSpan time)
    {
        var windows = Enumerable.Range(0, models).Select(_ => workload.NewMonitor()).ToArray();
        var timer = new Stopwatch();
        var wall = Stopwatch.StartNew();
        long closed = 0;
        while (wall.Elapsed < time || closed == 0)
        {
            var columns = windows.Select(w =>
            {
                var c = workload.NextWindow();
                ScoringWorkload.FillButOne(w, c);
                return c;
            }).ToArray();
            timer.Start();
            Parallel.For(0, models, m => ScoringWorkload.Close(windows[m], columns[m], workload.Features));
            timer.Stop();
            closed += models;
        }

        return timer.Elapsed.TotalSeconds / closed;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double Median(int rounds, Func<double> measure)
    {
        var values = Enumerable.Range(0, rounds).Select(_ => measure()).Order().ToList();
        return values[values.Count / 2];
    }

    private static (double, double, double) MedianOf(int rounds, Func<(double, double, double)> measure)
    {
        var values = Enumerable.Range(0, rounds).Select(_ => measure()).OrderBy(v => v.Item1).ToList();
        return values[values.Count / 2];
    }
}
