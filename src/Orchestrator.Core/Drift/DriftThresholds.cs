namespace Orchestrator.Core.Drift;

/// <summary>When a feature and a dataset count as drifted. Distances drift at or above their threshold, p-values below
/// their alpha; a feature drifts when at least <see cref="MinimumVotes"/> of its voting statistics drift; a dataset
/// drifts when the share of drifted features reaches <see cref="DatasetDriftShare"/>.</summary>
public sealed record DriftThresholds
{
    /// <summary>The defaults of issue #4: PSI 0.2, KS p &lt; 0.05 Bonferroni-corrected, JS 0.1, Wasserstein 0.1, chi-squared p &lt; 0.05, any one vote, half the features.</summary>
    public static DriftThresholds Default { get; } = new();

    /// <summary>PSI at or above this drifts (default 0.2, the usual "significant shift").</summary>
    public double Psi { get; init; } = 0.2;

    /// <summary>A Kolmogorov-Smirnov p-value below this (divided by the number of numeric features when
    /// <see cref="KolmogorovSmirnovBonferroni"/>) drifts (default 0.05).</summary>
    public double KolmogorovSmirnovAlpha { get; init; } = 0.05;

    /// <summary>Whether the KS alpha is divided by the number of numeric features tested together (default true).</summary>
    public bool KolmogorovSmirnovBonferroni { get; init; } = true;

    /// <summary>A Jensen-Shannon distance at or above this drifts (default 0.1).</summary>
    public double JensenShannon { get; init; } = 0.1;

    /// <summary>A normalized Wasserstein distance at or above this drifts (default 0.1 reference standard deviations).</summary>
    public double Wasserstein { get; init; } = 0.1;

    /// <summary>A chi-squared p-value below this (divided by the number of categorical features when
    /// <see cref="ChiSquaredBonferroni"/>) drifts (default 0.05).</summary>
    public double ChiSquaredAlpha { get; init; } = 0.05;

    /// <summary>Whether the chi-squared alpha is divided by the number of categorical features (default false, as the issue states it).</summary>
    public bool ChiSquaredBonferroni { get; init; }

    /// <summary>Which statistics vote on a feature's drift (default all; each votes only on the kinds it applies to).</summary>
    public DriftStatistic Voting { get; init; } = DriftStatistic.All;

    /// <summary>How many voting statistics must drift for the feature to drift (default 1: any), capped at the number that apply to the feature.</summary>
    public int MinimumVotes { get; init; } = 1;

    /// <summary>The dataset drifts when the share of drifted features is at least this (default 0.5).</summary>
    public double DatasetDriftShare { get; init; } = 0.5;

    /// <summary>Every problem with these thresholds, each naming the field and the fix; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        NonNegative(Psi, nameof(Psi), "e.g. 0.2");
        Alpha(KolmogorovSmirnovAlpha, nameof(KolmogorovSmirnovAlpha));
        UnitInterval(JensenShannon, nameof(JensenShannon), "e.g. 0.1; the base-2 distance lies in [0, 1]");
        NonNegative(Wasserstein, nameof(Wasserstein), "e.g. 0.1 (reference standard deviations)");
        Alpha(ChiSquaredAlpha, nameof(ChiSquaredAlpha));
        if ((Voting & DriftStatistic.All) == DriftStatistic.None || (Voting & ~DriftStatistic.All) != DriftStatistic.None)
        {
            errors.Add($"{nameof(Voting)} is {Voting}; name at least one of {DriftStatistic.Psi}, {DriftStatistic.KolmogorovSmirnov}, {DriftStatistic.JensenShannon}, {DriftStatistic.Wasserstein}, {DriftStatistic.ChiSquared}");
        }

        if (MinimumVotes < 1) errors.Add($"{nameof(MinimumVotes)} is {MinimumVotes}; give at least 1 (1 means any voting statistic)");
        if (!(DatasetDriftShare > 0 && DatasetDriftShare <= 1)) errors.Add($"{nameof(DatasetDriftShare)} is {DatasetDriftShare}; give a share in (0, 1], e.g. 0.5");
        return errors;

        void NonNegative(double value, string name, string example)
        {
            if (!(value >= 0) || double.IsInfinity(value)) errors.Add($"{name} is {value}; give a finite threshold of 0 or more, {example}");
        }

        void UnitInterval(double value, string name, string example)
        {
            if (!(value >= 0 && value <= 1)) errors.Add($"{name} is {value}; give a threshold in [0, 1], {example}");
        }

        void Alpha(double value, string name)
        {
            if (!(value > 0 && value < 1)) errors.Add($"{name} is {value}; give a significance level in (0, 1), e.g. 0.05");
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem when the thresholds are not valid.</summary>
    public DriftThresholds EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException("drift thresholds are not valid: " + string.Join("; ", errors));
        return this;
    }
}
