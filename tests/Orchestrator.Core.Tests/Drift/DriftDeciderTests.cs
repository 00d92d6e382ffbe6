using Orchestrator.Core.Drift;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>The drift decision: thresholds per statistic (at or above for distances, below alpha for p-values), the
/// Bonferroni division across features, the vote rule per feature and the share rule per dataset, and validation.</summary>
public sealed class DriftDeciderTests
{
    private static FeatureDriftScores Numeric(string name, double psi = 0.01, double js = 0.01, double w = 0.01, double ksP = 0.5) =>
        new(name, FeatureKind.Numeric, psi, js)
        {
            WassersteinNormalized = w,
            KolmogorovSmirnov = new KolmogorovSmirnovResult(0.1, ksP, KolmogorovSmirnovMethod.Exact),
        };

    private static FeatureDriftScores Categorical(string name, double psi = 0.01, double js = 0.01, double chiP = 0.5) =>
        new(name, FeatureKind.Categorical, psi, js) { ChiSquared = new ChiSquaredResult(1, chiP, 3) };

    [Fact]
    public void Feature_WithEveryStatisticQuiet_DoesNotDrift()
    {
        var decision = DriftDecider.DecideFeature(Numeric("f"), DriftThresholds.Default);
        Assert.False(decision.Drifted);
        Assert.Equal(0, decision.Votes);
        Assert.Equal([DriftStatistic.Psi, DriftStatistic.KolmogorovSmirnov, DriftStatistic.JensenShannon, DriftStatistic.Wasserstein], decision.Verdicts.Select(v => v.Statistic));
    }

    [Theory]
    [InlineData(0.2, 0.0, 0.0, 0.5)]
    [InlineData(0.0, 0.1, 0.0, 0.5)]
    [InlineData(0.0, 0.0, 0.1, 0.5)]
    [InlineData(0.0, 0.0, 0.0, 0.049)]
    public void Feature_Drifts_WhenAnyOneStatisticCrossesItsDefaultThreshold(double psi, double js, double w, double ksP)
    {
        var decision = DriftDecider.DecideFeature(Numeric("f", psi, js, w, ksP), DriftThresholds.Default);
        Assert.True(decision.Drifted);
        Assert.Equal(1, decision.Votes);
    }

    [Fact]
    public void Thresholds_AreStrictForPValuesAndInclusiveForDistances()
    {
        var decision = DriftDecider.DecideFeature(Numeric("f", psi: 0.1999999, ksP: 0.05), DriftThresholds.Default);
        Assert.False(decision.Drifted);
        Assert.All(decision.Verdicts, v => Assert.False(v.Drifted));
    }

    [Fact]
    public void KsAlpha_IsDividedByTheNumberOfNumericFeatures_UnderBonferroni()
    {
        // p = 0.02 drifts for one feature, but not among four (alpha 0.05 / 4 = 0.0125).
        var features = new[] { Numeric("a", ksP: 0.02), Numeric("b"), Numeric("c"), Numeric("d"), Categorical("e") };
        var dataset = DriftDecider.Decide(features, DriftThresholds.Default);
        var a = dataset.Features[0];
        Assert.False(a.Drifted);
        Assert.Equal(0.0125, a.Verdicts.Single(v => v.Statistic == DriftStatistic.KolmogorovSmirnov).Threshold, 15);

        var uncorrected = DriftDecider.Decide(features, DriftThresholds.Default with { KolmogorovSmirnovBonferroni = false });
        Assert.True(uncorrected.Features[0].Drifted);
    }

    [Fact]
    public void ChiSquared_IsUncorrectedByDefault_AndCorrectedWhenAsked()
    {
        var features = new[] { Categorical("a", chiP: 0.03), Categorical("b") };
        Assert.True(DriftDecider.Decide(features, DriftThresholds.Default).Features[0].Drifted);
        Assert.False(DriftDecider.Decide(features, DriftThresholds.Default with { ChiSquaredBonferroni = true }).Features[0].Drifted);
    }

    [Fact]
    public void OnlyVotingStatistics_Count()
    {
        var thresholds = DriftThresholds.Default with { Voting = DriftStatistic.KolmogorovSmirnov | DriftStatistic.ChiSquared };
        var decision = DriftDecider.DecideFeature(Numeric("f", psi: 5, js: 0.9, w: 3), thresholds);
        Assert.False(decision.Drifted);
        Assert.Contains(decision.Verdicts, v => v.Statistic == DriftStatistic.Psi && v.Drifted && !v.Votes);
    }

    [Fact]
    public void MinimumVotes_RequiresThatManyStatistics_CappedAtThoseThatApply()
    {
        var two = DriftThresholds.Default with { MinimumVotes = 2 };
        Assert.False(DriftDecider.DecideFeature(Numeric("f", psi: 0.3), two).Drifted);
        Assert.True(DriftDecider.DecideFeature(Numeric("f", psi: 0.3, js: 0.2), two).Drifted);

        // Only chi-squared votes and a categorical feature has one chi-squared: one vote is all it can need.
        var chiOnly = DriftThresholds.Default with { Voting = DriftStatistic.ChiSquared, MinimumVotes = 3 };
        var decision = DriftDecider.DecideFeature(Categorical("c", chiP: 0.001), chiOnly);
        Assert.Equal(1, decision.RequiredVotes);
        Assert.True(decision.Drifted);
    }

    [Fact]
    public void Feature_WithNoApplicableVoter_NeverDrifts()
    {
        var decision = DriftDecider.DecideFeature(Categorical("c", chiP: 0.0), DriftThresholds.Default with { Voting = DriftStatistic.KolmogorovSmirnov });
        Assert.False(decision.Drifted);
    }

    [Theory]
    [InlineData(2, 4, true)]
    [InlineData(1, 4, false)]
    [InlineData(3, 4, true)]
    public void Dataset_Drifts_WhenTheDriftedShareReachesOneHalf(int drifted, int total, bool expected)
    {
        var features = Enumerable.Range(0, total).Select(i => Numeric($"f{i}", psi: i < drifted ? 0.5 : 0.0)).ToList();
        var dataset = DriftDecider.Decide(features, DriftThresholds.Default);
        Assert.Equal(drifted, dataset.DriftedFeatures);
        Assert.Equal((double)drifted / total, dataset.DriftedShare);
        Assert.Equal(expected, dataset.Drifted);
    }

    [Fact]
    public void Dataset_WithNoFeatures_DoesNotDrift()
    {
        var dataset = DriftDecider.Decide([], DriftThresholds.Default);
        Assert.False(dataset.Drifted);
        Assert.Equal(0.0, dataset.DriftedShare);
    }

    [Fact]
    public void DatasetShare_IsConfigurable()
    {
        var features = new[] { Numeric("a", psi: 0.5), Numeric("b"), Numeric("c") };
        Assert.False(DriftDecider.Decide(features, DriftThresholds.Default).Drifted);
        Assert.True(DriftDecider.Decide(features, DriftThresholds.Default with { DatasetDriftShare = 0.3 }).Drifted);
    }

    [Fact]
    public void Validation_NamesEveryBadFieldAndTheFix()
    {
        var bad = new DriftThresholds
        {
            Psi = -1,
            KolmogorovSmirnovAlpha = 1.5,
            JensenShannon = 2,
            Wasserstein = double.NaN,
            ChiSquaredAlpha = 0,
            Voting = DriftStatistic.None,
            MinimumVotes = 0,
            DatasetDriftShare = 0,
        };
        var errors = bad.Validate();
        Assert.Equal(8, errors.Count);
        foreach (var field in new[] { "Psi", "KolmogorovSmirnovAlpha", "JensenShannon", "Wasserstein", "ChiSquaredAlpha", "Voting", "MinimumVotes", "DatasetDriftShare" })
        {
            Assert.Contains(errors, e => e.StartsWith(field + " is", StringComparison.Ordinal));
        }

        var thrown = Assert.Throws<ArgumentException>(() => DriftDecider.Decide([], bad));
        Assert.Contains("give a significance level in (0, 1)", thrown.Message);
        Assert.Empty(DriftThresholds.Default.Validate());
    }
}
