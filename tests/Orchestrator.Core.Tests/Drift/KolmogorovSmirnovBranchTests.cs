using Orchestrator.Core.Drift;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>The Kolmogorov-Smirnov code paths the scipy fixture does not reach (unequal sample sizes, small effective
/// sizes, ties) agree with brute-force enumeration and with each other where two exact methods overlap.</summary>
public sealed class KolmogorovSmirnovBranchTests
{
    [Theory]
    [InlineData(3, 5)]
    [InlineData(4, 6)]
    [InlineData(5, 7)]
    [InlineData(6, 6)]
    [InlineData(2, 9)]
    public void ExactPValue_EqualsTheShareOfAllLabelingsWithAStatisticAsLarge(int n1, int n2)
    {
        // Every split of the pooled ranks 0..n1+n2-1 into the two samples is equally likely under the null.
        var statistics = AllSplitStatistics(n1, n2);
        foreach (var d in statistics.Distinct())
        {
            var expected = statistics.Count(s => s >= d - 1e-12) / (double)statistics.Count;
            var (p, method) = KolmogorovSmirnovTest.PValue(d, n1, n2, KolmogorovSmirnovMethod.Exact);
            Assert.Equal(KolmogorovSmirnovMethod.Exact, method);
            Tolerance.Relative(expected, p, 1e-12, $"P(D >= {d}) for {n1}x{n2}");
        }
    }

    [Theory]
    [InlineData(40)]
    [InlineData(300)]
    public void OuterProbabilityInside_AgreesWithTheSquareFormula_WhenSizesAreEqual(int n)
    {
        for (var step = 1; step <= n / 4; step += Math.Max(1, n / 40))
        {
            var square = TwoSampleKolmogorovExact.ProbabilityOutsideSquare(n, step);
            var inside = TwoSampleKolmogorovExact.OuterProbabilityInside(n, n, n, step);
            Tolerance.Relative(square, inside, 1e-10, $"n={n} h={step}");
        }
    }

    [Theory]
    [InlineData(20, 0.2)]
    [InlineData(50, 0.15)]
    [InlineData(100, 0.11)]
    [InlineData(140, 0.1)]
    public void Durbin_And_Pomeranz_AgreeWhereBothAreExact(int n, double x)
    {
        var durbin = KolmogorovDistribution.DurbinMatrixCdf(n, x);
        var pomeranz = KolmogorovDistribution.PomeranzCdf(n, x);
        Tolerance.Relative(durbin, pomeranz, 1e-10, $"P(D_{n} <= {x})");
    }

    [Theory]
    [InlineData(10, 0.6)]
    [InlineData(8, 0.55)]
    [InlineData(5, 0.7)]
    public void TwiceSmirnov_IsExact_AboveOneHalf(int n, double x)
    {
        // For x >= 1/2 the two one-sided events cannot both happen, so P(D_n >= x) = 2 P(D_n+ >= x) exactly.
        // (Small n keeps the survival large enough that 1 - Durbin's CDF does not cancel away its digits.)
        var durbin = 1 - KolmogorovDistribution.DurbinMatrixCdf(n, x);
        Tolerance.Relative(durbin, 2 * SmirnovDistribution.Survival(n, x), 1e-9, $"P(D_{n} >= {x})");
    }

    [Theory]
    [InlineData(1000, 0.03)]
    [InlineData(5000, 0.015)]
    public void PelzGood_ApproximatesDurbin_ForLargeN(int n, double x)
    {
        var durbin = KolmogorovDistribution.DurbinMatrixCdf(n, x);
        var pelzGood = KolmogorovDistribution.PelzGoodCdf(n, x);
        Tolerance.Relative(durbin, pelzGood, 1e-5, $"P(D_{n} <= {x})");
    }

    [Fact]
    public void Survival_IsContinuousAcrossTheRegionsItSwitchesBetween()
    {
        // _kolmogn changes method at n·x² = 0.754693 and 4 for n <= 140, and at 2.2 for larger n.
        foreach (var (n, boundary) in new[] { (100, 0.754693), (100, 4.0), (500, 2.2) })
        {
            var x = Math.Sqrt(boundary / n);
            var below = KolmogorovDistribution.Survival(n, x * (1 - 1e-9));
            var above = KolmogorovDistribution.Survival(n, x * (1 + 1e-9));
            Tolerance.Relative(below, above, 1e-5, $"n={n} at n·x²={boundary}");
        }
    }

    [Fact]
    public void Statistic_CountsTiesInBothSamplesAtOnce()
    {
        // Identical samples with ties: the CDFs agree at every pooled value, so D is 0 and the p-value 1.
        double[] a = [1, 1, 2, 2, 3], b = [3, 2, 2, 1, 1];
        var result = KolmogorovSmirnovTest.Compute(a, b);
        Assert.Equal(0.0, result.Statistic);
        Assert.Equal(1.0, result.PValue);
    }

    [Fact]
    public void Auto_SwitchesToAsymptotic_AboveTenThousandValues()
    {
        var a = Enumerable.Range(0, 10_001).Select(i => i * 0.5).ToArray();
        var b = Enumerable.Range(0, 200).Select(i => (i * 25.0) + 3).ToArray();
        var result = KolmogorovSmirnovTest.Compute(a, b);
        Assert.Equal(KolmogorovSmirnovMethod.Asymptotic, result.Method);
        Assert.InRange(result.PValue, 0, 1);
    }

    [Fact]
    public void Compute_RejectsAnEmptySampleOrANonFiniteValue()
    {
        Assert.Throws<ArgumentException>(() => KolmogorovSmirnovTest.Compute([], [1.0]));
        var e = Assert.Throws<ArgumentException>(() => KolmogorovSmirnovTest.Compute([1.0, double.NaN], [1.0]));
        Assert.Contains("finite", e.Message);
    }

    private static List<double> AllSplitStatistics(int n1, int n2)
    {
        var n = n1 + n2;
        var statistics = new List<double>();
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != n1) continue;
            var a = new List<double>();
            var b = new List<double>();
            for (var i = 0; i < n; i++) (((mask >> i) & 1) == 1 ? a : b).Add(i);
            statistics.Add(KolmogorovSmirnovTest.Statistic([.. a], [.. b]));
        }

        return statistics;
    }
}
