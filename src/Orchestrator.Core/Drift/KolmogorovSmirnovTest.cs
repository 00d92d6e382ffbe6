namespace Orchestrator.Core.Drift;

/// <summary>How the two-sample Kolmogorov-Smirnov p-value is computed, as scipy's <c>ks_2samp(method=…)</c>.</summary>
public enum KolmogorovSmirnovMethod
{
    /// <summary>Exact when both samples have at most 10,000 values, asymptotic otherwise (scipy's default).</summary>
    Auto,

    /// <summary>The exact distribution of the two-sample statistic (falls back to asymptotic if it cannot be computed).</summary>
    Exact,

    /// <summary>The one-sample Kolmogorov distribution at the effective size <c>round(n·m/(n+m))</c>.</summary>
    Asymptotic,
}

/// <summary>The two-sided two-sample Kolmogorov-Smirnov statistic and its p-value.</summary>
/// <param name="Statistic">The largest absolute difference between the two empirical CDFs.</param>
/// <param name="PValue">The probability of a statistic at least this large when both samples share one distribution.</param>
/// <param name="Method">How the p-value was computed (never <see cref="KolmogorovSmirnovMethod.Auto"/>).</param>
public sealed record KolmogorovSmirnovResult(double Statistic, double PValue, KolmogorovSmirnovMethod Method);

/// <summary>The two-sample Kolmogorov-Smirnov test, ported from scipy 1.18 <c>scipy/stats/_stats_py.py</c>
/// (<c>ks_2samp</c>, <c>_ks_2samp_prob</c>, <c>_attempt_exact_2kssamp</c>) so that it gives scipy's numbers.</summary>
public static class KolmogorovSmirnovTest
{
    /// <summary>The largest sample size for which <see cref="KolmogorovSmirnovMethod.Auto"/> computes the exact p-value (scipy's MAX_AUTO_N).</summary>
    public const int MaxAutoExactSize = 10_000;

    /// <summary>Tests two samples (any order; values must be finite).</summary>
    public static KolmogorovSmirnovResult Compute(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, KolmogorovSmirnovMethod method = KolmogorovSmirnovMethod.Auto)
    {
        if (reference.IsEmpty || current.IsEmpty) throw new ArgumentException("a sample is empty; the test needs values on both sides");
        var a = QuantileBinning.SortedFinite(reference, nameof(reference));
        var b = QuantileBinning.SortedFinite(current, nameof(current));
        return ComputeSorted(a, b, method);
    }

    /// <summary>Tests two ascending samples.</summary>
    internal static KolmogorovSmirnovResult ComputeSorted(ReadOnlySpan<double> a, ReadOnlySpan<double> b, KolmogorovSmirnovMethod method)
    {
        var d = Statistic(a, b);
        var (p, used) = PValue(d, a.Length, b.Length, method);
        return new KolmogorovSmirnovResult(d, p, used);
    }

    /// <summary>max |F_a - F_b| over the pooled values, with ties in either sample counted at once.</summary>
    internal static double Statistic(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        // scipy's CDF values come from numpy.linspace(0, 1, n + 1), i.e. i * (1/n); kept for bit-level agreement.
        double stepA = 1.0 / a.Length, stepB = 1.0 / b.Length;
        int i = 0, j = 0;
        double maxAbove = 0, maxBelow = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= x) i++;
            while (j < b.Length && b[j] <= x) j++;
            var diff = (i == a.Length ? 1.0 : i * stepA) - (j == b.Length ? 1.0 : j * stepB);
            maxAbove = Math.Max(maxAbove, diff);
            maxBelow = Math.Max(maxBelow, -diff);
        }

        return Math.Max(Math.Clamp(maxBelow, 0, 1), maxAbove);
    }

    /// <summary>The two-sided p-value of statistic <paramref name="d"/> for sample sizes <paramref name="n1"/> and <paramref name="n2"/>.</summary>
    public static (double PValue, KolmogorovSmirnovMethod Method) PValue(double d, int n1, int n2, KolmogorovSmirnovMethod method = KolmogorovSmirnovMethod.Auto)
    {
        if (n1 < 1 || n2 < 1) throw new ArgumentOutOfRangeException(nameof(n1), "both sample sizes must be at least 1");
        long g = Gcd(n1, n2);
        long n1g = n1 / g, n2g = n2 / g;
        if (method == KolmogorovSmirnovMethod.Auto)
        {
            method = Math.Max(n1, n2) <= MaxAutoExactSize ? KolmogorovSmirnovMethod.Exact : KolmogorovSmirnovMethod.Asymptotic;
        }
        else if (method == KolmogorovSmirnovMethod.Exact && n1g >= int.MaxValue / (double)n2g)
        {
            method = KolmogorovSmirnovMethod.Asymptotic;
        }

        if (method == KolmogorovSmirnovMethod.Exact)
        {
            var exact = TwoSampleKolmogorovExact.TryPValue(n1, n2, g, d);
            if (exact is { } p) return (Math.Clamp(p, 0, 1), KolmogorovSmirnovMethod.Exact);
        }

        // Smirnov's asymptotic: the one-sample two-sided Kolmogorov distribution at the effective size.
        double m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        var en = m * n / (m + n);
        var sf = KolmogorovDistribution.Survival((int)Math.Round(en, MidpointRounding.ToEven), d);
        return (Math.Clamp(sf, 0, 1), KolmogorovSmirnovMethod.Asymptotic);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
