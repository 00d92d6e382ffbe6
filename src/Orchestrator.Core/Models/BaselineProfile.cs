namespace Orchestrator.Core.Models;

/// <summary>The features' distribution in the training data: the reference drift is measured against.</summary>
public sealed record BaselineProfile
{
    /// <summary>Numeric features by name.</summary>
    public IReadOnlyDictionary<string, NumericFeatureProfile> Numeric { get; init; } = new Dictionary<string, NumericFeatureProfile>();

    /// <summary>Categorical features by name.</summary>
    public IReadOnlyDictionary<string, CategoricalFeatureProfile> Categorical { get; init; } = new Dictionary<string, CategoricalFeatureProfile>();

    /// <summary>True when no feature is described.</summary>
    public bool IsEmpty => Numeric.Count == 0 && Categorical.Count == 0;
}

/// <summary>A numeric feature: bins with the reference's share in each, and a bounded sample of raw values.</summary>
public sealed record NumericFeatureProfile
{
    /// <summary>Strictly ascending finite edges; the bins are below the first, between neighbours, and above the last.</summary>
    public IReadOnlyList<double> BinEdges { get; init; } = [];

    /// <summary>One share per bin (one more than edges), summing to 1.</summary>
    public IReadOnlyList<double> Proportions { get; init; } = [];

    /// <summary>Reference values for statistics that need them raw.</summary>
    public IReadOnlyList<double> Sample { get; init; } = [];
}

/// <summary>A categorical feature: the reference's share of each category.</summary>
public sealed record CategoricalFeatureProfile
{
    /// <summary>Share by category, summing to 1.</summary>
    public IReadOnlyDictionary<string, double> Frequencies { get; init; } = new Dictionary<string, double>();

    /// <summary>How many reference rows the shares come from; 0 when unknown.</summary>
    public long Count { get; init; }
}
