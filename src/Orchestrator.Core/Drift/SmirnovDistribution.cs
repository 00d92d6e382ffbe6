namespace Orchestrator.Core.Drift;

/// <summary>The one-sided Kolmogorov-Smirnov (Smirnov) distribution: P(D_n⁺ ≥ x) for a sample of size n, as
/// <c>scipy.special.smirnov</c> (xsf <c>include/xsf/cephes/kolmogorov.h</c>, <c>_smirnov</c>, Birnbaum-Tingey sum).</summary>
internal static class SmirnovDistribution
{
    // xsf's limits: above this n the sum takes too long and an approximation is used.
    private const int MaxComputeN = 1_000_000;

    // log(2^-1075), xsf's MINLOG: below it the survival underflows.
    private const double MinLog = -745.1332191019412076235245305675398106812;

    // The machine epsilon of double (2^-52), not .NET's double.Epsilon (the smallest subnormal).
    private const double DoubleEpsilon = 2.220446049250313e-16;

    /// <summary>P(D_n⁺ ≥ x).</summary>
    public static double Survival(int n, double x)
    {
        if (!(n > 0 && x >= 0.0 && x <= 1.0)) return double.NaN;
        if (n == 1) return 1 - x;
        if (x == 0.0) return 1.0;
        if (x == 1.0) return 0.0;

        // floor(n·x) and its remainder, the remainder exact up to one rounding (xsf does this in double-double).
        var nxfl = Math.Floor(n * x);
        var alpha = Math.FusedMultiplyAdd(n, x, -nxfl);
        if (alpha < 0)
        {
            nxfl -= 1;
            alpha += 1;
        }

        if (alpha >= 1)
        {
            nxfl += 1;
            alpha = 0;
        }

        if (nxfl == 0 || (nxfl == 1 && alpha == 0))
        {
            var cdf = x * Math.Pow(1 + x, n - 1);
            return Math.Clamp(1 - cdf, 0, 1);
        }

        if (-2 * n * x * x < MinLog) return 0.0;
        if (nxfl >= n - 1) return Math.Clamp(Math.Pow(1 - x, n), 0, 1);
        if (n > MaxComputeN) return Math.Clamp(Math.Exp(-Math.Pow((6.0 * n * x) + 1, 2) / 18.0 / n), 0, 1);

        // sf = x · Σ_{v=0}^{last} C(n,v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1); every term is positive, so summing
        // the terms in log space loses nothing to cancellation.
        var last = n - (int)nxfl - 1;
        var logBinomial = 0.0;
        var sum = 0.0;
        for (var v = 0; v <= last; v++)
        {
            var below = (n - nxfl - v - alpha) / n;
            var above = (nxfl + v + alpha) / n;
            var term = Math.Exp(logBinomial + ((n - v) * Math.Log(below)) + ((v - 1) * Math.Log(above)));
            sum += term;
            // xsf's early exit: the terms left cannot move the sum.
            if (term != 0 && 4.0 * (last + 1 - v) * term < DoubleEpsilon * sum && v != last) break;
            logBinomial += Math.Log((double)(n - v) / (v + 1));
        }

        return Math.Clamp(x * sum, 0, 1);
    }
}
