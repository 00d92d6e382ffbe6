using Orchestrator.Core.Drift;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>The scorer the monitors and the CLI share: a numeric feature from whole samples equals the fixture's
/// scipy values, a profile plus binned counts gives the same scores, and categories are counted over one shared list.</summary>
public sealed class DriftScorerTests
{
    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void ScoreNumeric_FromWholeSamples_EqualsScipy(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var scores = DriftScorer.ScoreNumeric(name, c.Reference, c.Current);
        Tolerance.Relative(c.Value("psi_deciles_floor_1e4"), scores.Psi, Tolerance.Statistic, "psi");
        Tolerance.Relative(c.Value("js_distance_base2_deciles"), scores.JensenShannon, Tolerance.Statistic, "js");
        Tolerance.Relative(c.Value("wasserstein"), scores.Wasserstein!.Value, Tolerance.Statistic, "wasserstein");
        Tolerance.Relative(c.Value("ks_statistic"), scores.KolmogorovSmirnov!.Statistic, Tolerance.Statistic, "ks");
        Tolerance.Relative(c.Value("ks_pvalue_exact"), scores.KolmogorovSmirnov.PValue, Tolerance.PValue, "ks p");
        var std = WassersteinDistance.PopulationStandardDeviation(c.Reference);
        Tolerance.Relative(c.Value("wasserstein") / std, scores.WassersteinNormalized!.Value, Tolerance.Statistic, "normalized wasserstein");
        Assert.Null(scores.ChiSquared);
        Assert.Equal(c.Current.Length, scores.CurrentCount);
    }

    [Fact]
    public void ScoreNumeric_FromAProfileAndAWindowBinnedInBatches_EqualsTheWholeSampleScores()
    {
        var c = DriftFixtures.NumericCase("shift_0.5sd_n1000");
        var profile = NumericReferenceProfile.FromSample(c.Reference);
        var window = new long[profile.Bins.BinCount];
        for (var start = 0; start < c.Current.Length; start += 64)
        {
            profile.Bins.Accumulate(c.Current.AsSpan(start, Math.Min(64, c.Current.Length - start)), window);
        }

        var fromWindow = DriftScorer.ScoreNumeric("x", profile, window, c.Current);
        var whole = DriftScorer.ScoreNumeric("x", c.Reference, c.Current);
        Assert.Equal(whole.Psi, fromWindow.Psi);
        Assert.Equal(whole.JensenShannon, fromWindow.JensenShannon);
        Assert.Equal(whole.KolmogorovSmirnov, fromWindow.KolmogorovSmirnov);
    }

    [Fact]
    public void PopulationStandardDeviation_DividesByN()
    {
        Assert.Equal(2.0, WassersteinDistance.PopulationStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]), 15);
    }

    [Fact]
    public void NormalizedWasserstein_OfAConstantReference_DividesByTheFloor()
    {
        var scores = DriftScorer.ScoreNumeric("c", [1.0, 1.0, 1.0], [1.0, 1.0, 1.5]);
        Assert.Equal(0.0, scores.ReferenceStandardDeviation);
        Assert.Equal(scores.Wasserstein!.Value / WassersteinDistance.MinimumScale, scores.WassersteinNormalized!.Value, 12);
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.CategoricalNames), MemberType = typeof(DriftFixtures))]
    public void ScoreCategorical_EqualsScipy(string name)
    {
        var c = DriftFixtures.CategoricalCase(name);
        var scores = DriftScorer.ScoreCategorical(name, c.ReferenceCounts, c.CurrentCounts);
        Tolerance.Relative(c.Value("psi_floor_1e4"), scores.Psi, Tolerance.Statistic, "psi");
        Tolerance.Relative(c.Value("js_distance_base2"), scores.JensenShannon, Tolerance.Statistic, "js");
        Tolerance.Relative(c.Value("chi2_pvalue"), scores.ChiSquared!.PValue, Tolerance.PValue, "chi2 p");
        Assert.Null(scores.KolmogorovSmirnov);
        Assert.Null(scores.Wasserstein);
    }

    [Fact]
    public void ScoreCategorical_WithOneCategoryOnBothSides_HasNoChiSquared()
    {
        var scores = DriftScorer.ScoreCategorical("c", [10], [5]);
        Assert.Null(scores.ChiSquared);
        Assert.Equal(0.0, scores.Psi);
    }

    [Fact]
    public void CategoryCounts_ShareOneListOfCategories_ReferenceOrderFirst()
    {
        var counts = CategoryCounts.FromValues(["b", "a", "b", "c"], ["a", "d", "d", "b"]);
        Assert.Equal(["b", "a", "c", "d"], counts.Categories);
        Assert.Equal([2L, 1, 1, 0], counts.Reference);
        Assert.Equal([1L, 1, 0, 2], counts.Current);
    }

    [Fact]
    public void ChiSquared_DropsCategoriesWithZeroTotal()
    {
        var withEmpty = ChiSquaredTest.Compute([10, 0, 20, 30], [15, 0, 25, 20]);
        var without = ChiSquaredTest.Compute([10, 20, 30], [15, 25, 20]);
        Assert.Equal(without, withEmpty);
        Assert.Equal(2, withEmpty.DegreesOfFreedom);
    }

    [Theory]
    [InlineData(0.5, 0.5, 0.31731050786291410)]
    [InlineData(1.0, 3.0, 0.049787068367863944)]
    [InlineData(5.0, 2.0, 0.94734698265628884)]
    [InlineData(30.0, 60.0, 6.8762649687320967e-06)]
    public void UpperIncompleteGamma_MatchesClosedForms(double a, double x, double expected)
    {
        // Q(1/2, x) = erfc(sqrt x); Q(n, x) = e^-x Σ_{k<n} x^k/k! for whole n (expected values from that sum in 50-digit decimals).
        Tolerance.Relative(expected, IncompleteGamma.UpperRegularized(a, x), 1e-12, $"Q({a}, {x})");
    }
}
