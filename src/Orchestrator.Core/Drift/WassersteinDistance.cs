namespace Orchestrator.Core.Drift;

/// <summary>Wasserstein-1 (earth mover's) distance between two one-dimensional samples, computed as
/// <c>scipy.stats.wasserstein_distance(u, v)</c>: the integral of |U - V| between the empirical CDFs.</summary>
public static class WassersteinDistance
{
    /// <summary>The smallest reference standard deviation the normalized distance divides by, as Evidently does
    /// (where the 0.1 default threshold comes from), so that a constant reference gives a large finite score.</summary>
    public const double MinimumScale = 0.001;

    /// <summary>The distance between two samples (any order; values must be finite).</summary>
    public static double Compute(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        if (u.IsEmpty || v.IsEmpty) throw new ArgumentException("a sample is empty; the distance needs values on both sides");
        var us = QuantileBinning.SortedFinite(u, nameof(u));
        var vs = QuantileBinning.SortedFinite(v, nameof(v));
        return ComputeSorted(us, vs);
    }

    /// <summary>The distance divided by the reference's population standard deviation (floored at
    /// <see cref="MinimumScale"/>), so that one threshold fits features of any scale.</summary>
    public static double Normalized(double distance, double referenceStandardDeviation) =>
        distance / Math.Max(referenceStandardDeviation, MinimumScale);

    /// <summary>The distance between two ascending samples.</summary>
    internal static double ComputeSorted(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        // Walk the pooled values in order; between consecutive pooled values both CDFs are constant.
        int i = 0, j = 0;
        double nu = u.Length, nv = v.Length;
        var total = 0.0;
        var previous = Math.Min(u[0], v[0]);
        while (i < u.Length || j < v.Length)
        {
            var next = j >= v.Length || (i < u.Length && u[i] <= v[j]) ? u[i] : v[j];
            total += Math.Abs((i / nu) - (j / nv)) * (next - previous);
            previous = next;
            while (i < u.Length && u[i] <= next) i++;
            while (j < v.Length && v[j] <= next) j++;
        }

        return total;
    }

    /// <summary>Population standard deviation (divisor n) of a sample, two-pass for accuracy.</summary>
    public static double PopulationStandardDeviation(ReadOnlySpan<double> sample)
    {
        if (sample.IsEmpty) throw new ArgumentException("the sample is empty", nameof(sample));
        var mean = 0.0;
        foreach (var x in sample) mean += x;
        mean /= sample.Length;
        var squares = 0.0;
        foreach (var x in sample) squares += (x - mean) * (x - mean);
        return Math.Sqrt(squares / sample.Length);
    }
}
