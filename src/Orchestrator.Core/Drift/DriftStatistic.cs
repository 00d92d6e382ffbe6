namespace Orchestrator.Core.Drift;

/// <summary>The drift statistics, as flags so that a set of them can say which ones vote on a feature's drift.</summary>
[Flags]
public enum DriftStatistic
{
    /// <summary>No statistic.</summary>
    None = 0,

    /// <summary>Population stability index over the reference bins (numeric and categorical).</summary>
    Psi = 1,

    /// <summary>Two-sample Kolmogorov-Smirnov p-value (numeric).</summary>
    KolmogorovSmirnov = 2,

    /// <summary>Jensen-Shannon distance, base 2, over the reference bins (numeric and categorical).</summary>
    JensenShannon = 4,

    /// <summary>Wasserstein-1 distance divided by the reference standard deviation (numeric).</summary>
    Wasserstein = 8,

    /// <summary>Chi-squared p-value on the reference/current category table (categorical).</summary>
    ChiSquared = 16,

    /// <summary>Every statistic.</summary>
    All = Psi | KolmogorovSmirnov | JensenShannon | Wasserstein | ChiSquared,
}

/// <summary>Whether a feature's values are numbers (binned at reference quantiles) or categories.</summary>
public enum FeatureKind
{
    /// <summary>Numbers: PSI and Jensen-Shannon over quantile bins, Kolmogorov-Smirnov and Wasserstein on samples.</summary>
    Numeric,

    /// <summary>Categories: PSI and Jensen-Shannon over category frequencies, chi-squared on the counts.</summary>
    Categorical,
}
