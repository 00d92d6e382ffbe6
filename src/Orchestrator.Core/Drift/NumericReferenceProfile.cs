namespace Orchestrator.Core.Drift;

/// <summary>What a numeric feature's baseline keeps: the quantile bins and the reference counts in them, the reference
/// standard deviation, and a sample of reference values for the statistics that need values (KS, Wasserstein).</summary>
public sealed class NumericReferenceProfile
{
    private readonly long[] _counts;
    // The sample ascending, then +infinity padding: the sentinel the merged KS and Wasserstein pass reads past the end,
    // and the whole vectors the rank table reads past a bucket's end.
    private readonly double[] _sortedSample;
    private readonly int _count;

    /// <summary>A profile from parts already computed (as a registry stores them).</summary>
    public NumericReferenceProfile(QuantileBinning bins, IEnumerable<long> counts, IEnumerable<double> sample, double standardDeviation)
    {
        ArgumentNullException.ThrowIfNull(bins);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(sample);
        _counts = [.. counts];
        if (_counts.Length != bins.BinCount) throw new ArgumentException($"counts has {_counts.Length} entries; give {bins.BinCount}, one per bin", nameof(counts));
        if (_counts.Any(c => c < 0)) throw new ArgumentException("a count is negative; counts cannot be negative", nameof(counts));
        var sorted = QuantileBinning.SortedFiniteWithSentinel([.. sample], nameof(sample));
        _count = sorted.Length - 1;
        // One array serves the merged walk (one +infinity after the values) and the rank table (whole vectors of them).
        _sortedSample = new double[_count + ReferenceRankTable.Padding];
        sorted.CopyTo(_sortedSample, 0);
        _sortedSample.AsSpan(_count).Fill(double.PositiveInfinity);
        if (_count == 0) throw new ArgumentException("the sample is empty; keep at least one reference value", nameof(sample));
        if (!(standardDeviation >= 0) || double.IsInfinity(standardDeviation)) throw new ArgumentOutOfRangeException(nameof(standardDeviation), standardDeviation, "the standard deviation must be finite and not negative");
        Sample = new ArraySegment<double>(_sortedSample, 0, _count);
        RankTable = ReferenceRankTable.TryBuild(_sortedSample, _count);
        Bins = bins;
        TotalCount = _counts.Sum();
        StandardDeviation = standardDeviation;
    }

    /// <summary>The quantile bins.</summary>
    public QuantileBinning Bins { get; }

    /// <summary>Reference values per bin.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>The reference sample, ascending.</summary>
    public IReadOnlyList<double> Sample { get; }

    /// <summary>Population standard deviation (divisor n) of the whole reference.</summary>
    public double StandardDeviation { get; }

    internal long TotalCount { get; }

    internal ReadOnlySpan<long> CountSpan => _counts;

    internal ReadOnlySpan<double> SortedSample => _sortedSample.AsSpan(0, _count);

    internal ReadOnlySpan<double> SortedSampleAndSentinel => _sortedSample.AsSpan(0, _count + 1);

    /// <summary>The sample's ranks in O(1) for the KS statistic, or null where its values bunch up too much for one.</summary>
    internal ReferenceRankTable? RankTable { get; }

    /// <summary>Profiles a whole reference sample: bins at its quantiles, counts, standard deviation, and all of it as the sample.</summary>
    public static NumericReferenceProfile FromSample(ReadOnlySpan<double> reference, int binCount = 10)
    {
        var bins = QuantileBinning.FromReference(reference, binCount);
        return new NumericReferenceProfile(bins, bins.Count(reference), reference.ToArray(), WassersteinDistance.PopulationStandardDeviation(reference));
    }
}
