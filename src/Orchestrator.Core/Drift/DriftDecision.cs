namespace Orchestrator.Core.Drift;

/// <summary>One statistic of one feature against its threshold.</summary>
/// <param name="Statistic">Which statistic.</param>
/// <param name="Value">Its value (for KS and chi-squared: the p-value).</param>
/// <param name="Threshold">The threshold it was compared with (for p-values: the alpha after any Bonferroni division).</param>
/// <param name="Drifted">Whether it crossed: value ≥ threshold for distances, p-value &lt; alpha for tests.</param>
/// <param name="Votes">Whether it counts toward the feature's decision (<see cref="DriftThresholds.Voting"/>).</param>
public sealed record StatisticVerdict(DriftStatistic Statistic, double Value, double Threshold, bool Drifted, bool Votes)
{
    /// <summary>Whether a smaller value means drift (p-values) rather than a larger one (distances).</summary>
    public bool IsPValue => Statistic is DriftStatistic.KolmogorovSmirnov or DriftStatistic.ChiSquared;
}

/// <summary>The drift decision for one feature.</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Drifted">Whether at least <paramref name="RequiredVotes"/> voting statistics drifted (never when none can vote).</param>
/// <param name="Votes">Voting statistics that drifted.</param>
/// <param name="RequiredVotes">Votes needed: <see cref="DriftThresholds.MinimumVotes"/> capped at the voting statistics that apply.</param>
/// <param name="Verdicts">Every statistic computed for the feature, voting or not.</param>
public sealed record FeatureDriftDecision(string Feature, FeatureKind Kind, bool Drifted, int Votes, int RequiredVotes, IReadOnlyList<StatisticVerdict> Verdicts);

/// <summary>The drift decision for a dataset (a window of all of a model's features).</summary>
/// <param name="Features">The decision per feature, in the order given.</param>
/// <param name="DriftedFeatures">How many features drifted.</param>
/// <param name="DriftedShare">Drifted features over all features (0 when there are none).</param>
/// <param name="Drifted">Whether the share reached <see cref="DriftThresholds.DatasetDriftShare"/>.</param>
public sealed record DatasetDriftDecision(IReadOnlyList<FeatureDriftDecision> Features, int DriftedFeatures, double DriftedShare, bool Drifted);
