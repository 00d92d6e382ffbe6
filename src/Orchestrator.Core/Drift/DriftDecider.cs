namespace Orchestrator.Core.Drift;

/// <summary>Turns scores into drift decisions per feature and per dataset under <see cref="DriftThresholds"/>.</summary>
public static class DriftDecider
{
    /// <summary>Decides every feature and the dataset; the Bonferroni divisor is the number of features of the tested kind.</summary>
    public static DatasetDriftDecision Decide(IReadOnlyList<FeatureDriftScores> features, DriftThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(thresholds);
        thresholds.EnsureValid();
        var ksTests = features.Count(f => f.KolmogorovSmirnov is not null);
        var chiTests = features.Count(f => f.ChiSquared is not null);
        var decisions = features.Select(f => DecideFeature(f, thresholds, ksTests, chiTests)).ToList();
        var drifted = decisions.Count(d => d.Drifted);
        var share = decisions.Count == 0 ? 0.0 : (double)drifted / decisions.Count;
        return new DatasetDriftDecision(decisions, drifted, share, decisions.Count > 0 && share >= thresholds.DatasetDriftShare);
    }

    /// <summary>Decides one feature; <paramref name="ksTests"/> and <paramref name="chiSquaredTests"/> are how many
    /// features were tested together (the Bonferroni divisors; 1 for a feature on its own).</summary>
    public static FeatureDriftDecision DecideFeature(FeatureDriftScores scores, DriftThresholds thresholds, int ksTests = 1, int chiSquaredTests = 1)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(thresholds);
        var verdicts = new List<StatisticVerdict>
        {
            AtLeast(DriftStatistic.Psi, scores.Psi, thresholds.Psi, thresholds),
        };
        if (scores.KolmogorovSmirnov is { } ks)
        {
            var alpha = thresholds.KolmogorovSmirnovBonferroni ? thresholds.KolmogorovSmirnovAlpha / Math.Max(1, ksTests) : thresholds.KolmogorovSmirnovAlpha;
            verdicts.Add(Below(DriftStatistic.KolmogorovSmirnov, ks.PValue, alpha, thresholds));
        }

        verdicts.Add(AtLeast(DriftStatistic.JensenShannon, scores.JensenShannon, thresholds.JensenShannon, thresholds));
        if (scores.WassersteinNormalized is { } w) verdicts.Add(AtLeast(DriftStatistic.Wasserstein, w, thresholds.Wasserstein, thresholds));
        if (scores.ChiSquared is { } chi)
        {
            var alpha = thresholds.ChiSquaredBonferroni ? thresholds.ChiSquaredAlpha / Math.Max(1, chiSquaredTests) : thresholds.ChiSquaredAlpha;
            verdicts.Add(Below(DriftStatistic.ChiSquared, chi.PValue, alpha, thresholds));
        }

        var voters = verdicts.Count(v => v.Votes);
        var votes = verdicts.Count(v => v.Votes && v.Drifted);
        var required = Math.Min(thresholds.MinimumVotes, voters);
        return new FeatureDriftDecision(scores.Feature, scores.Kind, voters > 0 && votes >= required, votes, required, verdicts);
    }

    private static StatisticVerdict AtLeast(DriftStatistic statistic, double value, double threshold, DriftThresholds thresholds) =>
        new(statistic, value, threshold, value >= threshold, thresholds.Voting.HasFlag(statistic));

    private static StatisticVerdict Below(DriftStatistic statistic, double pValue, double alpha, DriftThresholds thresholds) =>
        new(statistic, pValue, alpha, pValue < alpha, thresholds.Voting.HasFlag(statistic));
}
