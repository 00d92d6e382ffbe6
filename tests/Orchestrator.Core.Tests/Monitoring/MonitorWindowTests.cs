using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;
using Orchestrator.Core.Retraining;

namespace Orchestrator.Core.Tests.Monitoring;

/// <summary>Verifies a monitor's tumbling windows against a baseline profile as the registry stores it: traffic like the
/// training data shows no drift, shifted traffic drifts (numeric and categorical), windows close by count and by time,
/// the column path scores like the record path, labels give the window's live metrics, and the closed loop in the core:
/// two drifted windows make the retraining policy ask for a run.</summary>
public sealed class MonitorWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    private static double[] Normal(int n, double mean, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => mean + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))];
    }

    /// <summary>A baseline as a training step would register it: deciles of 5,000 training values, their shares, a sample
    /// of 1,000; and a plan mix.</summary>
    private static BaselineProfile Baseline()
    {
        var training = Normal(5_000, 0, seed: 1);
        var bins = QuantileBinning.FromReference(training);
        var counts = bins.Count(training);
        return new BaselineProfile
        {
            Numeric = new Dictionary<string, NumericFeatureProfile>
            {
                ["tenure"] = new() { BinEdges = bins.Edges, Proportions = [.. counts.Select(c => c / 5_000.0)], Sample = training[..1_000] },
            },
            Categorical = new Dictionary<string, CategoricalFeatureProfile>
            {
                ["plan"] = new() { Frequencies = new Dictionary<string, double> { ["basic"] = 0.6, ["premium"] = 0.4 }, Count = 5_000 },
            },
        };
    }

    private static WindowReport? Feed(MonitorWindow monitor, double[] tenure, Func<int, string> plan, DateTimeOffset at)
    {
        WindowReport? report = null;
        for (var i = 0; i < tenure.Length; i++)
        {
            report = monitor.Add(new Dictionary<string, double> { ["tenure"] = tenure[i] }, new Dictionary<string, string> { ["plan"] = plan(i) }, at) ?? report;
        }

        return report;
    }

    [Fact]
    public void TrafficLikeTheTrainingData_DoesNotDrift_ShiftedTrafficDrifts_InEveryStatistic()
    {
        var monitor = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 2_000), T0);

        var calm = Feed(monitor, Normal(2_000, 0, seed: 2), i => i % 5 < 3 ? "basic" : "premium", T0.AddMinutes(1))!;
        var shifted = Feed(monitor, Normal(2_000, 1.0, seed: 3), i => i % 5 < 1 ? "basic" : "premium", T0.AddMinutes(2))!;

        Assert.Equal(2_000, calm.Records);
        Assert.False(calm.Drift.Drifted);
        Assert.Equal(0, calm.Drift.DriftedFeatures);
        Assert.True(shifted.Drift.Drifted);
        Assert.Equal(2, shifted.Drift.DriftedFeatures);
        var tenure = shifted.Scores.Single(s => s.Feature == "tenure");
        Assert.True(tenure.Psi > 0.2, $"PSI {tenure.Psi}");
        Assert.True(tenure.KolmogorovSmirnov!.PValue < 1e-6, $"KS p {tenure.KolmogorovSmirnov.PValue}");
        Assert.True(tenure.WassersteinNormalized > 0.5, $"Wasserstein {tenure.WassersteinNormalized}");
        Assert.True(shifted.Scores.Single(s => s.Feature == "plan").ChiSquared!.PValue < 1e-6);
        Assert.Equal(T0.AddMinutes(1), shifted.Start);
    }

    [Fact]
    public void Windows_CloseByTime_AnIdleOneJustStartsAgain_AndUnknownCategoriesAreCounted()
    {
        var monitor = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 1_000_000, Duration: TimeSpan.FromMinutes(10)), T0);
        Feed(monitor, Normal(300, 0, seed: 4), _ => "enterprise", T0.AddMinutes(5));

        var closed = monitor.Tick(T0.AddMinutes(10));

        Assert.NotNull(closed);
        Assert.Equal((T0, T0.AddMinutes(10), 300L), (closed!.Start, closed.End, closed.Records));
        Assert.True(closed.Drift.Features.Single(f => f.Feature == "plan").Drifted, "a plan the training data never had is drift");
        Assert.Null(monitor.Tick(T0.AddMinutes(25)));
        Assert.Equal(T0.AddMinutes(25), monitor.Start);
    }

    [Fact]
    public void Columns_ScoreLikeRecords()
    {
        var values = Normal(500, 0.3, seed: 5);
        var byRecord = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 500), T0);
        var byColumn = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 500), T0);

        var a = Feed(byRecord, values, _ => "basic", T0)!.Scores.Single(s => s.Feature == "tenure");
        var b = byColumn.AddColumns([values], T0)!.Scores.Single(s => s.Feature == "tenure");

        Assert.Equal(a.Psi, b.Psi);
        Assert.Equal(a.KolmogorovSmirnov, b.KolmogorovSmirnov);
        Assert.Equal(a.Wasserstein, b.Wasserstein);
        Assert.Throws<ArgumentException>(() => byColumn.AddColumns([values, values], T0));
    }

    [Fact]
    public void KsPValue_IsExactForSmallSamples_AndAsymptoticWhenTheirProductExceedsTheLimit()
    {
        var values = Normal(400, 0.2, seed: 9);
        var small = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 400, ExactKsLimit: 1_000 * 400), T0);
        var large = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 400, ExactKsLimit: 1_000 * 400 - 1), T0);

        var exact = small.AddColumns([values], T0)!.Scores.Single().KolmogorovSmirnov!;
        var asymptotic = large.AddColumns([values], T0)!.Scores.Single().KolmogorovSmirnov!;

        Assert.Equal(KolmogorovSmirnovMethod.Exact, exact.Method);
        Assert.Equal(KolmogorovSmirnovMethod.Asymptotic, asymptotic.Method);
        Assert.Equal(exact.Statistic, asymptotic.Statistic);
    }

    [Fact]
    public void Labels_JoinedDuringTheWindow_GiveItsLiveMetrics()
    {
        var monitor = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 4), T0);
        monitor.AddLabel(new PendingPrediction("r1", 0.9, null, T0), 1);
        monitor.AddLabel(new PendingPrediction("r2", 0.2, null, T0), 0);
        monitor.AddLabel(new PendingPrediction("r3", 0.7, null, T0), 0);

        var report = Feed(monitor, Normal(4, 0, seed: 6), _ => "basic", T0)!;

        Assert.Equal(2.0 / 3, report.Metrics["accuracy"], 12);
        Assert.Equal(1.0, report.Metrics["auc"], 12);
    }

    [Fact]
    public void ClosedLoop_TwoDriftedWindows_MakeThePolicyAskForARetraining()
    {
        var monitor = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 1_000), T0);
        var policy = new RetrainingTracker(new RetrainingPolicy { Pipeline = "churn-train", DriftWindows = 2 }, T0);

        var first = Feed(monitor, Normal(1_000, 1.5, seed: 7), _ => "premium", T0.AddMinutes(1))!;
        var second = Feed(monitor, Normal(1_000, 1.5, seed: 8), _ => "premium", T0.AddMinutes(2))!;

        Assert.Equal(RetrainingAction.None, policy.OnWindow(first.ToOutcome()).Action);
        var decision = policy.OnWindow(second.ToOutcome());
        Assert.Equal(RetrainingAction.Submit, decision.Action);
        Assert.Equal("dataset drift in 2 consecutive windows (100% of features drifted in the last)", decision.Trigger!.Reason);
    }
}
