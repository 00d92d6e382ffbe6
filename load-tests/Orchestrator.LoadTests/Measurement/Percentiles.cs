namespace Orchestrator.LoadTests.Measurement;

/// <summary>Order statistics of samples.</summary>
internal static class Percentiles
{
    /// <summary>Nearest-rank percentile of sorted samples (q in 0..1); 0 for none.</summary>
    public static double Of(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return 0;
        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Median of unsorted values (the lower middle for an even count, so it is always a measured value).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[(sorted.Count - 1) / 2];
    }
}
