using Orchestrator.Core.Drift;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>Every statistic of every case in the scipy reference fixture is reproduced: 1e-9 relative for statistics,
/// 1e-6 relative for p-values, the bins and proportions exactly as numpy cut them.</summary>
public sealed class ScipyReferenceTests
{
    [Fact]
    public void Fixture_HasTheCasesTheTestsIterate()
    {
        Assert.Equal(5, DriftFixtures.Numeric.Count());
        Assert.Equal(2, DriftFixtures.Categorical.Count());
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void DecileEdges_EqualNumpyQuantileLinearExactly(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var binning = QuantileBinning.FromReference(c.Reference, 10);
        var expected = c.Values("decile_edges");
        Assert.Equal(expected.Length, binning.Edges.Count);
        // Bit for bit, not only within 1e-9: a value equal to an edge must land in numpy's bin.
        Assert.Equal(expected, binning.Edges);
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void Proportions_MatchSearchsortedRight(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var binning = QuantileBinning.FromReference(c.Reference, 10);
        var reference = BinProportions.FromCounts(binning.Count(c.Reference));
        var current = BinProportions.FromCounts(binning.Count(c.Current));
        AssertAll(c.Values("ref_proportions"), reference, $"{name} reference proportion");
        AssertAll(c.Values("cur_proportions"), current, $"{name} current proportion");
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void Psi_OverReferenceDeciles_MatchesScipy(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var binning = QuantileBinning.FromReference(c.Reference, 10);
        var psi = PopulationStabilityIndex.FromCounts(binning.Count(c.Reference), binning.Count(c.Current));
        Tolerance.Relative(c.Value("psi_deciles_floor_1e4"), psi, Tolerance.Statistic, $"{name} PSI");
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void JensenShannon_OverReferenceDeciles_MatchesScipy(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var binning = QuantileBinning.FromReference(c.Reference, 10);
        var js = JensenShannonDistance.FromCounts(binning.Count(c.Reference), binning.Count(c.Current));
        Tolerance.Relative(c.Value("js_distance_base2_deciles"), js, Tolerance.Statistic, $"{name} JS");
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void Wasserstein_OnRawSamples_MatchesScipy(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        Tolerance.Relative(c.Value("wasserstein"), WassersteinDistance.Compute(c.Reference, c.Current), Tolerance.Statistic, $"{name} Wasserstein");
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void KolmogorovSmirnov_StatisticAndExactPValue_MatchScipy(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var result = KolmogorovSmirnovTest.Compute(c.Reference, c.Current, KolmogorovSmirnovMethod.Exact);
        Assert.Equal(KolmogorovSmirnovMethod.Exact, result.Method);
        Tolerance.Relative(c.Value("ks_statistic"), result.Statistic, Tolerance.Statistic, $"{name} KS statistic");
        Tolerance.Relative(c.Value("ks_pvalue_exact"), result.PValue, Tolerance.PValue, $"{name} KS exact p-value");
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void KolmogorovSmirnov_AsymptoticPValue_MatchesScipy(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var result = KolmogorovSmirnovTest.Compute(c.Reference, c.Current, KolmogorovSmirnovMethod.Asymptotic);
        Assert.Equal(KolmogorovSmirnovMethod.Asymptotic, result.Method);
        Tolerance.Relative(c.Value("ks_statistic"), result.Statistic, Tolerance.Statistic, $"{name} KS statistic");
        Tolerance.Relative(c.Value("ks_pvalue_asymp"), result.PValue, Tolerance.PValue, $"{name} KS asymptotic p-value");
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void KolmogorovSmirnov_Auto_IsExactAtTheseSizes(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var result = KolmogorovSmirnovTest.Compute(c.Reference, c.Current);
        Assert.Equal(KolmogorovSmirnovMethod.Exact, result.Method);
        Tolerance.Relative(c.Value("ks_pvalue_exact"), result.PValue, Tolerance.PValue, $"{name} KS auto p-value");
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.NumericNames), MemberType = typeof(DriftFixtures))]
    public void AndersonDarlingKSample_MatchesScipy(string name)
    {
        var c = DriftFixtures.NumericCase(name);
        var statistic = AndersonDarlingKSample.Statistic([c.Reference, c.Current]);
        Tolerance.Relative(c.Value("anderson_ksamp_statistic"), statistic, Tolerance.Statistic, $"{name} Anderson-Darling");
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.CategoricalNames), MemberType = typeof(DriftFixtures))]
    public void ChiSquared_MatchesScipyContingency(string name)
    {
        var c = DriftFixtures.CategoricalCase(name);
        var result = ChiSquaredTest.Compute(c.ReferenceCounts, c.CurrentCounts);
        Tolerance.Relative(c.Value("chi2_statistic"), result.Statistic, Tolerance.Statistic, $"{name} chi2 statistic");
        Tolerance.Relative(c.Value("chi2_pvalue"), result.PValue, Tolerance.PValue, $"{name} chi2 p-value");
        Assert.Equal((int)c.Value("chi2_dof"), result.DegreesOfFreedom);
    }

    [Theory]
    [MemberData(nameof(DriftFixtures.CategoricalNames), MemberType = typeof(DriftFixtures))]
    public void CategoricalPsiAndJensenShannon_MatchScipy(string name)
    {
        var c = DriftFixtures.CategoricalCase(name);
        Tolerance.Relative(c.Value("psi_floor_1e4"), PopulationStabilityIndex.FromCounts(c.ReferenceCounts, c.CurrentCounts), Tolerance.Statistic, $"{name} PSI");
        Tolerance.Relative(c.Value("js_distance_base2"), JensenShannonDistance.FromCounts(c.ReferenceCounts, c.CurrentCounts), Tolerance.Statistic, $"{name} JS");
    }

    private static void AssertAll(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Tolerance.Relative(expected[i], actual[i], Tolerance.Statistic, $"{what} {i}");
    }
}
