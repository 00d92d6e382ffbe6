namespace Orchestrator.Core.Rollouts;

/// <summary>One version's traffic and live metrics summed over the windows of a rollout step: each metric is the mean
/// of the windows' values weighted by their labeled predictions.</summary>
/// <param name="Predictions">Predictions served.</param>
/// <param name="Labeled">Labeled predictions.</param>
/// <param name="MetricSums">Per metric, the sum of window value x window labeled count.</param>
/// <param name="MetricLabeled">Per metric, the labeled predictions of the windows that reported it (AUC is missing from a
/// window with one class only).</param>
public sealed record VersionTotals(
    long Predictions,
    long Labeled,
    IReadOnlyDictionary<string, double> MetricSums,
    IReadOnlyDictionary<string, long> MetricLabeled)
{
    /// <summary>Nothing seen yet.</summary>
    public static VersionTotals Empty { get; } = new(0, 0, new Dictionary<string, double>(), new Dictionary<string, long>());

    /// <summary>These totals plus one window.</summary>
    public VersionTotals Add(VersionWindowStats window)
    {
        var sums = new Dictionary<string, double>(MetricSums, StringComparer.Ordinal);
        var labeled = new Dictionary<string, long>(MetricLabeled, StringComparer.Ordinal);
        if (window.Labeled > 0)
        {
            foreach (var (metric, value) in window.Metrics)
            {
                if (!double.IsFinite(value)) continue;
                sums[metric] = sums.GetValueOrDefault(metric) + value * window.Labeled;
                labeled[metric] = labeled.GetValueOrDefault(metric) + window.Labeled;
            }
        }

        return new VersionTotals(Predictions + Math.Max(0, window.Predictions), Labeled + Math.Max(0, window.Labeled), sums, labeled);
    }

    /// <summary>The metric's labeled-weighted mean and the labeled predictions behind it; null when no window reported it.</summary>
    public (double Value, long Labeled)? Metric(string metric) =>
        MetricLabeled.TryGetValue(metric, out var n) && n > 0 ? (MetricSums[metric] / n, n) : null;
}
