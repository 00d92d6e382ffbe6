namespace Orchestrator.Core.Drift;

/// <summary>The Anderson-Darling k-sample statistic, standardized, as <c>scipy.stats.anderson_ksamp(samples).statistic</c>
/// (midrank variant for ties, Scholz and Stephens 1987, eq. 7; ported from scipy 1.18 <c>scipy/stats/_morestats.py</c>).</summary>
public static class AndersonDarlingKSample
{
    /// <summary>The standardized statistic (A²akN - (k-1)) / σ for two or more samples of finite values.</summary>
    public static double Statistic(IReadOnlyList<double[]> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var k = samples.Count;
        if (k < 2) throw new ArgumentException("the test needs at least two samples", nameof(samples));
        var sorted = new double[k][];
        for (var i = 0; i < k; i++)
        {
            if (samples[i].Length == 0) throw new ArgumentException($"sample {i} is empty", nameof(samples));
            sorted[i] = QuantileBinning.SortedFinite(samples[i], nameof(samples));
        }

        var z = sorted.SelectMany(s => s).ToArray();
        Array.Sort(z);
        var n = z.Length;
        if (n < 4) throw new ArgumentException($"the samples hold {n} values in all; the statistic's variance needs at least 4", nameof(samples));
        var distinct = z.Distinct().ToArray();
        if (distinct.Length < 2) throw new ArgumentException("the samples hold one distinct value; the test needs at least two", nameof(samples));

        var a2 = MidrankA2(sorted, z, distinct);

        var h = 0.0;
        foreach (var s in sorted) h += 1.0 / s.Length;
        // hs_cs = cumsum(1 / arange(N-1, 1, -1)); h_ = hs_cs[-1] + 1; g = Σ hs_cs / arange(2, N).
        var hs = new double[n - 2];
        var running = 0.0;
        for (var i = 0; i < n - 2; i++)
        {
            running += 1.0 / (n - 1 - i);
            hs[i] = running;
        }

        var hh = hs[^1] + 1;
        var g = 0.0;
        for (var i = 0; i < n - 2; i++) g += hs[i] / (i + 2);
        double kk = k, nn = n;
        var a = (((4 * g) - 6) * (kk - 1)) + ((10 - (6 * g)) * h);
        var b = (((2 * g) - 4) * kk * kk) + (8 * hh * kk) + (((2 * g) - (14 * hh) - 4) * h) - (8 * hh) + (4 * g) - 6;
        var c = (((6 * hh) + (2 * g) - 2) * kk * kk) + (((4 * hh) - (4 * g) + 6) * kk) + (((2 * hh) - 6) * h) + (4 * hh);
        var d = (((2 * hh) + 6) * kk * kk) - (4 * hh * kk);
        var sigmaSquared = ((a * nn * nn * nn) + (b * nn * nn) + (c * nn) + d) / ((nn - 1.0) * (nn - 2.0) * (nn - 3.0));
        return (a2 - (k - 1)) / Math.Sqrt(sigmaSquared);
    }

    // A2akN, Scholz and Stephens eq. 7, with midranks for ties (_anderson_ksamp_midrank).
    private static double MidrankA2(double[][] samples, double[] z, double[] distinct)
    {
        double n = z.Length;
        var lj = new double[distinct.Length];
        var bj = new double[distinct.Length];
        for (var j = 0; j < distinct.Length; j++)
        {
            var left = LowerBound(z, distinct[j]);
            lj[j] = UpperBound(z, distinct[j]) - left;
            bj[j] = left + (lj[j] / 2.0);
        }

        var total = 0.0;
        foreach (var s in samples)
        {
            var inner = 0.0;
            for (var j = 0; j < distinct.Length; j++)
            {
                double right = UpperBound(s, distinct[j]);
                var fij = right - LowerBound(s, distinct[j]);
                var mij = right - (fij / 2.0);
                var diff = (n * mij) - (bj[j] * s.Length);
                inner += lj[j] / n * diff * diff / ((bj[j] * (n - bj[j])) - (n * lj[j] / 4.0));
            }

            total += inner / s.Length;
        }

        return total * (n - 1.0) / n;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1;
            else hi = mid;
        }

        return lo;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) lo = mid + 1;
            else hi = mid;
        }

        return lo;
    }
}
