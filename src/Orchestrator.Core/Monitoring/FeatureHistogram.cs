namespace Orchestrator.Core.Monitoring;

/// <summary>A feature's values binned at the source by a client: counts per bin of the edges the monitor uses
/// (<see cref="MonitorWindow.BinEdges"/>) for a numeric feature, counts per category for a categorical one.</summary>
/// <param name="Feature">The feature's name in the baseline profile.</param>
/// <param name="Counts">Numeric: one count per bin, one more than the edges (below the first edge, between
/// neighbours, above the last). Empty for a categorical feature.</param>
/// <param name="Categories">Categorical: count per category. Empty for a numeric feature.</param>
public sealed record FeatureHistogram(string Feature, IReadOnlyList<long> Counts, IReadOnlyDictionary<string, long> Categories)
{
    /// <summary>Values the histogram counts.</summary>
    public long Total => Counts.Sum() + Categories.Values.Sum();
}
