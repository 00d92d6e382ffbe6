using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;

namespace Orchestrator.LoadTests.Scoring;

/// <summary>How a monitor scored a window's numeric feature after the first pass of issue #4 (kept here only as the
/// benchmark's baseline): the reservoir sorted by the radix sort, KS and Wasserstein in one merged pass over both samples,
/// the KS p-value from the shared cache, PSI and JS from counts.</summary>
internal sealed class FirstPassScoring
{
    private readonly NumericReferenceProfile[] _references;
    private readonly double[] _sample;

    /// <summary>The references of every numeric feature of <paramref name="baseline"/>, as a monitor builds them.</summary>
    public FirstPassScoring(BaselineProfile baseline, int sampleSize)
    {
        _references = [.. baseline.Numeric.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f =>
        {
            var sample = f.Value.Sample.ToArray();
            return new NumericReferenceProfile(new QuantileBinning(f.Value.BinEdges), f.Value.Proportions.Select(p => (long)Math.Round(p * 1_000_000)), sample, WassersteinDistance.PopulationStandardDeviation(sample));
        })];
        _sample = new double[sampleSize + 1];
    }

    /// <summary>Scores every feature of one window (columns in feature order, and their counts per bin).</summary>
    public int ScoreWindow(double[][] columns, long[][] binCounts)
    {
        var scored = 0;
        for (var f = 0; f < _references.Length; f++)
        {
            var reference = _references[f];
            var counts = binCounts[f];
            var n = columns[f].Length;
            columns[f].CopyTo(_sample, 0);
            RadixSort.Sort(_sample.AsSpan(0, n));
            _sample[n] = double.PositiveInfinity;
            var (d, wasserstein) = SortedSampleComparison.Compute(reference.SortedSampleAndSentinel, _sample.AsSpan(0, n + 1));
            var (p, method) = KolmogorovPValueCache.Shared.PValue(d, reference.SortedSample.Length, n, KolmogorovSmirnovMethod.Asymptotic);
            var scores = new FeatureDriftScores($"f{f}", FeatureKind.Numeric,
                PopulationStabilityIndex.FromCounts(reference.CountSpan, counts), JensenShannonDistance.FromCounts(reference.CountSpan, counts))
            {
                Wasserstein = wasserstein,
                WassersteinNormalized = WassersteinDistance.Normalized(wasserstein, reference.StandardDeviation),
                KolmogorovSmirnov = new KolmogorovSmirnovResult(d, p, method),
            };
            if (scores.KolmogorovSmirnov is not null) scored++;
        }

        return scored;
    }

    /// <summary>Counts per bin of every column, outside the timed part.</summary>
    public long[][] Count(double[][] columns) => [.. columns.Select((c, f) => _references[f].Bins.Count(c))];
}
