namespace Orchestrator.Core.Drift;

/// <summary>Every statistic computed for one feature between its reference and a current window; a statistic that
/// does not apply to the feature's kind (or could not be computed) is null.</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Psi">Population stability index over the reference bins or categories (proportions floored at 1e-4).</param>
/// <param name="JensenShannon">Jensen-Shannon distance, base 2, over the same bins.</param>
public sealed record FeatureDriftScores(string Feature, FeatureKind Kind, double Psi, double JensenShannon)
{
    /// <summary>Raw Wasserstein-1 distance (numeric).</summary>
    public double? Wasserstein { get; init; }

    /// <summary>Wasserstein-1 divided by the reference population standard deviation, floored at 0.001 (numeric).</summary>
    public double? WassersteinNormalized { get; init; }

    /// <summary>The reference population standard deviation the Wasserstein distance was divided by (numeric).</summary>
    public double? ReferenceStandardDeviation { get; init; }

    /// <summary>The Kolmogorov-Smirnov test (numeric).</summary>
    public KolmogorovSmirnovResult? KolmogorovSmirnov { get; init; }

    /// <summary>The chi-squared test (categorical, with at least two categories seen).</summary>
    public ChiSquaredResult? ChiSquared { get; init; }

    /// <summary>Values in the reference the scores were computed from.</summary>
    public long ReferenceCount { get; init; }

    /// <summary>Values in the current window the scores were computed from.</summary>
    public long CurrentCount { get; init; }
}
