using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Monitoring;

/// <summary>Verifies what a window keeps beside the feature scores: live metrics per serving version, the prediction
/// distribution (scored window over window), and histograms binned at the source (the same PSI as the records they
/// count, drift from histograms alone, and validation that names the field and applies nothing of a bad batch).</summary>
public sealed class MonitorWindowVersionsAndHistogramsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private static double[] Normal(int n, double mean, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => mean + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))];
    }

    /// <summary>Deciles of 5,000 training values with their shares; <paramref name="sample"/> keeps 1,000 raw values.</summary>
    private static BaselineProfile Baseline(bool sample)
    {
        var training = Normal(5_000, 0, seed: 1);
        var bins = QuantileBinning.FromReference(training);
        var counts = bins.Count(training);
        return new BaselineProfile
        {
            Numeric = new Dictionary<string, NumericFeatureProfile>
            {
                ["tenure"] = new() { BinEdges = bins.Edges, Proportions = [.. counts.Select(c => c / 5_000.0)], Sample = sample ? training[..1_000] : [] },
            },
            Categorical = new Dictionary<string, CategoricalFeatureProfile>
            {
                ["plan"] = new() { Frequencies = new Dictionary<string, double> { ["basic"] = 0.6, ["premium"] = 0.4 }, Count = 5_000 },
            },
        };
    }

    private static Dictionary<string, double> Tenure(double value) => new() { ["tenure"] = value };

    private static readonly Dictionary<string, string> NoCategories = [];

    [Fact]
    public void LiveMetrics_AreKeptPerServingVersion_BesideTheTotals()
    {
        var monitor = new MonitorWindow(Baseline(sample: true), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 100), T0);
        for (var i = 0; i < 6; i++) monitor.Add(Tenure(0), NoCategories, new PredictionObservation(0.9, null, i < 4 ? 1 : 2), T0);
        monitor.AddLabel(new PendingPrediction("a", 0.9, null, T0, 1), 1);
        monitor.AddLabel(new PendingPrediction("b", 0.9, null, T0, 1), 0);
        monitor.AddLabel(new PendingPrediction("c", 0.2, null, T0, 2), 0);
        var report = monitor.Tick(T0.AddHours(2))!;

        Assert.Equal(2.0 / 3, report.Metrics["accuracy"], 9);
        Assert.Equal([1, 2], report.ByVersion.Select(v => v.Version));
        var (champion, challenger) = (report.ByVersion[0], report.ByVersion[1]);
        Assert.Equal((4L, 2L, 0.5), (champion.Predictions, champion.Labeled, champion.Metrics["accuracy"]));
        Assert.Equal((2L, 1L, 1.0), (challenger.Predictions, challenger.Labeled, challenger.Metrics["accuracy"]));
    }

    [Fact]
    public void PredictionDistribution_IsBinned_AndScoredAgainstThePreviousWindow()
    {
        var monitor = new MonitorWindow(Baseline(sample: true), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 1_000), T0);
        var random = new Random(3);
        WindowReport? first = null, second = null, third = null;
        for (var i = 0; i < 1_000; i++) first = monitor.Add(Tenure(0), NoCategories, new PredictionObservation(random.NextDouble(), null, 1), T0) ?? first;
        for (var i = 0; i < 1_000; i++) second = monitor.Add(Tenure(0), NoCategories, new PredictionObservation(random.NextDouble(), null, 1), T0) ?? second;
        for (var i = 0; i < 1_000; i++) third = monitor.Add(Tenure(0), NoCategories, new PredictionObservation(0.95, null, 1), T0) ?? third;

        Assert.Equal(10, first!.Predictions!.Counts.Count);
        Assert.Equal(1_000, first.Predictions.Counts.Sum());
        Assert.Null(first.Predictions.Psi);
        Assert.True(second!.Predictions!.Psi < 0.1, $"psi {second.Predictions.Psi}");
        Assert.True(third!.Predictions!.Psi > 1, $"psi {third.Predictions.Psi}");
        Assert.Equal(1_000, third.Predictions.Counts[^1]);
    }

    [Fact]
    public void PredictionDistribution_OfAClassifierByName_CountsClasses()
    {
        var monitor = new MonitorWindow(Baseline(sample: true), ModelTask.MulticlassClassification, new MonitorSpec(MaxRecords: 3), T0);
        monitor.Add(Tenure(0), NoCategories, new PredictionObservation(0, "cat", 1), T0);
        monitor.Add(Tenure(0), NoCategories, new PredictionObservation(0, "dog", 1), T0);
        var report = monitor.Add(Tenure(0), NoCategories, new PredictionObservation(0, "cat", 1), T0)!;

        Assert.Equal(["cat", "dog"], report.Predictions!.Classes);
        Assert.Equal([2L, 1L], report.Predictions.Counts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Histograms_ScoreThePsiOfTheRecordsTheyCount(bool baselineSample)
    {
        var values = Normal(2_000, 0.5, seed: 4);
        var byRecords = new MonitorWindow(Baseline(baselineSample), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 2_000), T0);
        WindowReport? recordReport = null;
        foreach (var value in values) recordReport = byRecords.Add(Tenure(value), new Dictionary<string, string> { ["plan"] = "basic" }, T0) ?? recordReport;

        var byHistograms = new MonitorWindow(Baseline(baselineSample), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 2_000), T0);
        var counts = new QuantileBinning(byHistograms.BinEdges["tenure"]).Count(values);
        var histogramReport = byHistograms.AddHistograms(
            [
                new FeatureHistogram("tenure", counts, new Dictionary<string, long>()),
                new FeatureHistogram("plan", [], new Dictionary<string, long> { ["basic"] = 2_000 }),
            ], T0)!;

        Assert.Equal(2_000, histogramReport.Records);
        var (fromRecords, fromHistograms) = (recordReport!.Scores.Single(s => s.Feature == "tenure"), histogramReport.Scores.Single(s => s.Feature == "tenure"));
        Assert.Equal(fromRecords.Psi, fromHistograms.Psi, 12);
        Assert.Equal(fromRecords.JensenShannon, fromHistograms.JensenShannon, 12);
        Assert.Null(fromHistograms.KolmogorovSmirnov);
        Assert.Null(fromHistograms.WassersteinNormalized);
        var plan = (recordReport.Scores.Single(s => s.Feature == "plan"), histogramReport.Scores.Single(s => s.Feature == "plan"));
        Assert.Equal(plan.Item1.ChiSquared!.PValue, plan.Item2.ChiSquared!.PValue, 12);
    }

    [Fact]
    public void HistogramsAlone_Drift_WhenTheirCountsMoved()
    {
        var monitor = new MonitorWindow(Baseline(sample: true), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 1_000), T0);
        var counts = new long[monitor.BinEdges["tenure"].Count + 1];
        counts[^1] = 800;
        counts[^2] = 200;
        var report = monitor.AddHistograms([new FeatureHistogram("tenure", counts, new Dictionary<string, long>())], T0)!;

        var tenure = report.Drift.Features.Single(f => f.Feature == "tenure");
        Assert.True(tenure.Drifted);
        Assert.True(report.Drift.Drifted);
    }

    [Fact]
    public void BadHistograms_AreRefusedNamingTheField_AndNothingOfTheBatchIsApplied()
    {
        var monitor = new MonitorWindow(Baseline(sample: true), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 1_000), T0);
        var goodCounts = new long[monitor.BinEdges["tenure"].Count + 1];
        goodCounts[0] = 5;

        var error = Assert.Throws<ValidationException>(() => monitor.AddHistograms(
            [
                new FeatureHistogram("tenure", goodCounts, new Dictionary<string, long>()),
                new FeatureHistogram("age", goodCounts, new Dictionary<string, long>()),
                new FeatureHistogram("plan", [], new Dictionary<string, long> { ["basic"] = -1 }),
            ], T0));
        Assert.Equal(["histograms[1].feature", "histograms[2].categories"], error.Errors.Select(e => e.Field));
        Assert.Contains("'age' is not a feature of the baseline profile; use one of: tenure, plan", error.Message, StringComparison.Ordinal);

        var wrongBins = Assert.Throws<ValidationException>(() => monitor.AddHistograms([new FeatureHistogram("tenure", [1, 2, 3], new Dictionary<string, long>())], T0));
        Assert.Equal("histograms[0].counts", wrongBins.Errors.Single().Field);
        Assert.Contains("has 10 bins (9 edges), not 3", wrongBins.Message, StringComparison.Ordinal);

        var negative = goodCounts.ToArray();
        negative[1] = -3;
        Assert.Equal("histograms[0].counts",
            Assert.Throws<ValidationException>(() => monitor.AddHistograms([new FeatureHistogram("tenure", negative, new Dictionary<string, long>())], T0)).Errors.Single().Field);

        Assert.Equal(0, monitor.Records);
        Assert.Null(monitor.Tick(T0.AddHours(2)));
    }
}
