namespace Orchestrator.Core.Drift;

/// <summary>Computes every statistic that applies to one feature: the code both the monitors (binned windows against a
/// stored profile) and <c>orch drift compare</c> (two whole samples) run.</summary>
public static class DriftScorer
{
    // Above this many values on both sides together a quantile plan (16 bytes a value, kept per pair of sizes) costs
    // more memory than the merged pass costs time: whole-sample comparisons take the merge.
    private const int MaxPlannedSize = 20_000;

    /// <summary>Scores a numeric feature's current window: its counts in the profile's bins and a sample of its values.</summary>
    public static FeatureDriftScores ScoreNumeric(string feature, NumericReferenceProfile reference, ReadOnlySpan<long> currentCounts, ReadOnlySpan<double> currentSample, KolmogorovSmirnovMethod method = KolmogorovSmirnovMethod.Auto)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (currentSample.IsEmpty) throw new ArgumentException("the current sample is empty; a window needs values to compare", nameof(currentSample));
        var copy = new double[currentSample.Length + 1];
        currentSample.CopyTo(copy);
        QuantileBinning.RequireFinite(copy.AsSpan(0, currentSample.Length), nameof(currentSample));
        return ScoreWindowNumeric(feature, reference, currentCounts, copy, method);
    }

    /// <summary>Scores a window whose sample is finite and in any order, given with one spare slot after it (a monitor's
    /// reservoir): KS and Wasserstein from the values' gaps in the reference (no sort) where the reference has a rank
    /// table and no window value equals a reference value; otherwise the sample is sorted in place and walked. The gaps
    /// come from <paramref name="gaps"/> when the caller kept them value by value (a monitor's reservoir; they are left
    /// empty for the next window), else they are counted here. The p-value from <paramref name="pValues"/> when given.</summary>
    internal static FeatureDriftScores ScoreWindowNumeric(string feature, NumericReferenceProfile reference, ReadOnlySpan<long> currentCounts, Span<double> sampleAndSpareSlot, KolmogorovSmirnovMethod method, KolmogorovPValueCache? pValues = null, ReferenceGaps? gaps = null)
    {
        var m = sampleAndSpareSlot.Length - 1;
        if (m < 1) throw new ArgumentException("the current sample needs values and a spare slot after them", nameof(sampleAndSpareSlot));
        double statistic = 0, wasserstein = 0;
        bool compared;
        if (gaps is not null) compared = gaps.TryCompareAndClear(sampleAndSpareSlot[..m], out statistic, out wasserstein);
        else compared = reference.RankTable is { } table && ReferenceGaps.TryCompute(table, sampleAndSpareSlot[..m], out statistic, out wasserstein);
        if (compared) return Scores(feature, reference, currentCounts, m, statistic, wasserstein, method, pValues);

        BucketSort.Sort(sampleAndSpareSlot[..m]);
        sampleAndSpareSlot[m] = double.PositiveInfinity;
        return ScoreSortedNumeric(feature, reference, currentCounts, sampleAndSpareSlot, method, pValues);
    }

    /// <summary>Scores a window whose sample is already ascending and finite and followed by one +infinity: KS from the
    /// reference's rank table and Wasserstein from the sizes' quantile plan, each one pass over the window only (one
    /// merged pass over both samples where neither applies), no copy, the p-value from <paramref name="pValues"/> when given.</summary>
    internal static FeatureDriftScores ScoreSortedNumeric(string feature, NumericReferenceProfile reference, ReadOnlySpan<long> currentCounts, ReadOnlySpan<double> sortedCurrentAndSentinel, KolmogorovSmirnovMethod method, KolmogorovPValueCache? pValues = null)
    {
        int n1 = reference.SortedSample.Length, n2 = sortedCurrentAndSentinel.Length - 1;
        if (n2 < 1 || sortedCurrentAndSentinel[n2] != double.PositiveInfinity) throw new ArgumentException("the current sample needs values and +infinity in the slot after them", nameof(sortedCurrentAndSentinel));
        double statistic, wasserstein;
        if (reference.RankTable is { } ranks && (long)n1 + n2 <= MaxPlannedSize)
        {
            statistic = ranks.KolmogorovSmirnov(sortedCurrentAndSentinel);
            wasserstein = QuantileCoupling.For(n1, n2).Distance(reference.SortedSample, sortedCurrentAndSentinel[..n2]);
        }
        else
        {
            (statistic, wasserstein) = SortedSampleComparison.Compute(reference.SortedSampleAndSentinel, sortedCurrentAndSentinel);
        }

        return Scores(feature, reference, currentCounts, n2, statistic, wasserstein, method, pValues);
    }

    private static FeatureDriftScores Scores(string feature, NumericReferenceProfile reference, ReadOnlySpan<long> currentCounts, int n2, double statistic, double wasserstein, KolmogorovSmirnovMethod method, KolmogorovPValueCache? pValues)
    {
        var n1 = reference.SortedSample.Length;
        var (p, used) = pValues is null ? KolmogorovSmirnovTest.PValue(statistic, n1, n2, method) : pValues.PValue(statistic, n1, n2, method);
        long total = 0;
        foreach (var c in currentCounts) total += c;
        return new FeatureDriftScores(
            feature,
            FeatureKind.Numeric,
            PopulationStabilityIndex.FromCounts(reference.CountSpan, currentCounts),
            JensenShannonDistance.FromCounts(reference.CountSpan, currentCounts))
        {
            Wasserstein = wasserstein,
            WassersteinNormalized = WassersteinDistance.Normalized(wasserstein, reference.StandardDeviation),
            ReferenceStandardDeviation = reference.StandardDeviation,
            KolmogorovSmirnov = new KolmogorovSmirnovResult(statistic, p, used),
            ReferenceCount = reference.TotalCount,
            CurrentCount = total,
        };
    }

    /// <summary>Scores two whole numeric samples: the reference is profiled with <paramref name="binCount"/> quantile bins.</summary>
    public static FeatureDriftScores ScoreNumeric(string feature, ReadOnlySpan<double> reference, ReadOnlySpan<double> current, int binCount = 10, KolmogorovSmirnovMethod method = KolmogorovSmirnovMethod.Auto)
    {
        if (current.IsEmpty) throw new ArgumentException("the current sample is empty", nameof(current));
        var profile = NumericReferenceProfile.FromSample(reference, binCount);
        return ScoreNumeric(feature, profile, profile.Bins.Count(current), current, method);
    }

    /// <summary>Scores a categorical feature from counts per category (the same categories, in the same order, on both sides).</summary>
    public static FeatureDriftScores ScoreCategorical(string feature, ReadOnlySpan<long> referenceCounts, ReadOnlySpan<long> currentCounts)
    {
        BinProportions.RequireSameLength(referenceCounts.Length, currentCounts.Length);
        long referenceTotal = 0, currentTotal = 0;
        var seen = 0;
        for (var i = 0; i < referenceCounts.Length; i++)
        {
            referenceTotal += referenceCounts[i];
            currentTotal += currentCounts[i];
            if (referenceCounts[i] + currentCounts[i] > 0) seen++;
        }

        if (referenceTotal == 0) throw new ArgumentException("the reference has no values", nameof(referenceCounts));
        if (currentTotal == 0) throw new ArgumentException("the current window has no values", nameof(currentCounts));
        return new FeatureDriftScores(
            feature,
            FeatureKind.Categorical,
            PopulationStabilityIndex.FromCounts(referenceCounts, currentCounts),
            JensenShannonDistance.FromCounts(referenceCounts, currentCounts))
        {
            // One category on both sides: nothing to test, and no evidence of drift.
            ChiSquared = seen >= 2 ? ChiSquaredTest.Compute(referenceCounts, currentCounts) : null,
            ReferenceCount = referenceTotal,
            CurrentCount = currentTotal,
        };
    }
}
