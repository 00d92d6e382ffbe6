namespace Orchestrator.Core.Drift;

/// <summary>The exact two-sided p-value of the two-sample Kolmogorov-Smirnov statistic, ported from scipy 1.18:
/// <c>scipy/stats/_stats_py.py</c> (<c>_attempt_exact_2kssamp</c>, <c>_compute_prob_outside_square</c>) and
/// <c>scipy/stats/_stats_pythran.py</c> (<c>_compute_outer_prob_inside_method</c>, after Hodges 1958 and Viehmann 2021).</summary>
internal static class TwoSampleKolmogorovExact
{
    /// <summary>P(D ≥ d) under the null, or null when the computation is not numerically sound (scipy then falls back to asymptotic).</summary>
    public static double? TryPValue(long n1, long n2, long g, double d)
    {
        var lcm = n1 / g * n2;
        // d is a difference of two fractions i/n1 - j/n2: a multiple of 1/lcm, recovered exactly by rounding.
        var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        if (h == 0) return 1.0;
        var p = n1 == n2 ? ProbabilityOutsideSquare(n1, h) : OuterProbabilityInside(n1, n2, g, h);
        if (!double.IsFinite(p) || p < 0 || p > 1) return null;
        return p;
    }

    /// <summary>P(D_{n,n} ≥ h/n): the alternating sum 2·Σ(-1)^(k-1)·binom(2n, n-kh)/binom(2n, n), evaluated by a
    /// Horner-like scheme that avoids the subtractive cancellation of the plain sum.</summary>
    internal static double ProbabilityOutsideSquare(long n, long h)
    {
        var total = 0.0;
        var k = n / h;
        while (k >= 0)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++) p1 = (n - (k * h) - j) * p1 / (n + (k * h) + j + 1);
            total = p1 * (1.0 - total);
            k--;
        }

        return 2 * total;
    }

    /// <summary>The share of lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| &lt; h/lcm(m,n),
    /// computed column by column as 1 - p directly (Viehmann's recursion) over a sliding window.</summary>
    internal static double OuterProbabilityInside(long m, long n, long g, long h)
    {
        if (m < n) (m, n) = (n, m);
        var mg = m / g;
        var ng = n / g;
        long minj = 0, maxj = Math.Min(CeilDiv(h, mg), n + 1);
        var curlen = maxj - minj;
        var lenA = Math.Min((2 * maxj) + 2, n + 1);
        var a = new double[lenA];
        Array.Fill(a, 1.0);
        for (var x = minj; x < maxj; x++) a[x] = 0.0;
        for (long i = 1; i <= m; i++)
        {
            long lastminj = minj, lastlen = curlen;
            minj = Math.Max(FloorDiv((ng * i) - h, mg) + 1, 0);
            minj = Math.Min(minj, n);
            maxj = Math.Min(CeilDiv((ng * i) + h, mg), n + 1);
            if (maxj <= minj) return 1.0;
            var val = minj == 0 ? 0.0 : 1.0;
            for (long jj = 0; jj < maxj - minj; jj++)
            {
                var j = jj + minj;
                val = ((a[jj + minj - lastminj] * i) + (val * j)) / (i + j);
                a[jj] = val;
            }

            curlen = maxj - minj;
            if (lastlen > curlen)
            {
                for (var x = maxj - minj; x < maxj - minj + (lastlen - curlen) && x < lenA; x++) a[x] = 1.0;
            }
        }

        return a[maxj - minj - 1];
    }

    // numpy's floor/ceil of a true quotient; exact for the integer sizes the test allows.
    private static long FloorDiv(long a, long b) => (long)Math.Floor((double)a / b);

    private static long CeilDiv(long a, long b) => (long)Math.Ceiling((double)a / b);
}
