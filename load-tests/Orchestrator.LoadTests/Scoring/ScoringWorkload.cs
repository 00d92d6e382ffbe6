using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;

namespace Orchestrator.LoadTests.Scoring;

/// <summary>The scoring benchmark's data: a baseline of numeric features (deciles and a 2,000-value sample each, feature f
/// uniform on [f, f + 1)) and windows drawn afresh from the same distribution shifted by 0.05 (a drift of about the size
/// the KS test starts to reject at a 1,000-value window, so every branch of the p-value is met).</summary>
internal sealed class ScoringWorkload(int features, int sample, int seed)
{
    private readonly Random _random = new(seed);

    public int Features => features;

    public int Sample => sample;

    public BaselineProfile Baseline { get; } = MakeBaseline(features, new Random(seed + 1));

    /// <summary>A monitor whose window holds exactly <see cref="Sample"/> records, so its reservoir keeps every value.</summary>
    public MonitorWindow NewMonitor() => new(Baseline, ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: sample, SampleSize: sample), DateTimeOffset.UnixEpoch);

    /// <summary>A fresh window's columns, one per feature (never the same data twice, so nothing downstream sees a repeat).</summary>
    public double[][] NextWindow()
    {
        var columns = new double[features][];
        for (var f = 0; f < features; f++)
        {
            var column = columns[f] = new double[sample];
            for (var i = 0; i < sample; i++) column[i] = _random.NextDouble() + f + 0.05;
        }

        return columns;
    }

    /// <summary>Adds all but the last record of <paramref name="columns"/>: the window is one record short of closing.</summary>
    public static void FillButOne(MonitorWindow window, double[][] columns) =>
        window.AddColumns(AllButLast(columns), DateTimeOffset.UnixEpoch);

    /// <summary>Every column without its last record.</summary>
    public static double[][] AllButLast(double[][] columns) => [.. columns.Select(c => c[..^1])];

    /// <summary>Adds the last record, which closes and scores the window.</summary>
    public static WindowReport Close(MonitorWindow window, double[][] columns, int features) =>
        window.AddColumns([.. columns.Select(c => c[^1..])], DateTimeOffset.UnixEpoch) is { } report && report.Scores.Count == features
            ? report
            : throw new InvalidOperationException("the window did not close with every feature scored");

    private static BaselineProfile MakeBaseline(int features, Random random) => new()
    {
        Numeric = Enumerable.Range(0, features).ToDictionary(f => $"f{f}", f =>
        {
            var training = Enumerable.Range(0, 2_000).Select(_ => random.NextDouble() + f).ToArray();
            var bins = QuantileBinning.FromReference(training);
            var counts = bins.Count(training);
            return new NumericFeatureProfile { BinEdges = bins.Edges, Proportions = [.. counts.Select(c => c / 2_000.0)], Sample = training };
        }),
    };
}
