using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;

namespace Orchestrator.LoadTests.Scoring;

/// <summary>How a window's numeric feature was scored before the fast path (kept here only as the benchmark's baseline):
/// the sample copied and sorted with <see cref="Array.Sort(Array)"/>, the KS statistic and the Wasserstein distance each
/// in its own merge, the KS p-value computed afresh every time.</summary>
internal sealed class PreviousScoring
{
    private readonly NumericReferenceProfile[] _references;
    private readonly double[][] _sortedSamples;
    private readonly long[][] _counts;

    /// <summary>The references of every numeric feature of <paramref name="baseline"/>, as a monitor builds them.</summary>
    public PreviousScoring(BaselineProfile baseline)
    {
        _references = [.. baseline.Numeric.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f =>
        {
            var bins = new QuantileBinning(f.Value.BinEdges);
            var sample = f.Value.Sample.ToArray();
            return new NumericReferenceProfile(bins, f.Value.Proportions.Select(p => (long)Math.Round(p * 1_000_000)), sample, WassersteinDistance.PopulationStandardDeviation(sample));
        })];
        _sortedSamples = [.. _references.Select(r => r.Sample.ToArray())];
        _counts = [.. _references.Select(r => r.Counts.ToArray())];
    }

    /// <summary>Scores every feature of one window (columns in feature order, and their counts per bin, which a monitor
    /// keeps as records arrive).</summary>
    public int ScoreWindow(double[][] columns, long[][] binCounts)
    {
        var scored = 0;
        for (var f = 0; f < _references.Length; f++)
        {
            var reference = _references[f];
            var counts = binCounts[f];
            var sorted = columns[f].ToArray();
            Array.Sort(sorted);
            var referenceSample = _sortedSamples[f];
            var wasserstein = Wasserstein(referenceSample, sorted);
            var d = KolmogorovSmirnov(referenceSample, sorted);
            var (p, method) = KolmogorovSmirnovTest.PValue(d, referenceSample.Length, sorted.Length, KolmogorovSmirnovMethod.Asymptotic);
            var scores = new FeatureDriftScores($"f{f}", FeatureKind.Numeric,
                PopulationStabilityIndex.FromCounts(_counts[f], counts), JensenShannonDistance.FromCounts(_counts[f], counts))
            {
                Wasserstein = wasserstein,
                WassersteinNormalized = WassersteinDistance.Normalized(wasserstein, reference.StandardDeviation),
                KolmogorovSmirnov = new KolmogorovSmirnovResult(d, p, method),
                ReferenceCount = _counts[f].Sum(),
                CurrentCount = counts.Sum(),
            };
            if (scores.KolmogorovSmirnov is not null) scored++;
        }

        return scored;
    }

    /// <summary>Counts per bin of every column, outside the timed part.</summary>
    public long[][] Count(double[][] columns) => [.. columns.Select((c, f) => _references[f].Bins.Count(c))];

    private static double KolmogorovSmirnov(double[] a, double[] b)
    {
        double stepA = 1.0 / a.Length, stepB = 1.0 / b.Length;
        int i = 0, j = 0;
        double maxAbove = 0, maxBelow = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= x) i++;
            while (j < b.Length && b[j] <= x) j++;
            var diff = (i == a.Length ? 1.0 : i * stepA) - (j == b.Length ? 1.0 : j * stepB);
            maxAbove = Math.Max(maxAbove, diff);
            maxBelow = Math.Max(maxBelow, -diff);
        }

        return Math.Max(Math.Clamp(maxBelow, 0, 1), maxAbove);
    }

    private static double Wasserstein(double[] u, double[] v)
    {
        int i = 0, j = 0;
        double nu = u.Length, nv = v.Length;
        var total = 0.0;
        var previous = Math.Min(u[0], v[0]);
        while (i < u.Length || j < v.Length)
        {
            var next = j >= v.Length || (i < u.Length && u[i] <= v[j]) ? u[i] : v[j];
            total += Math.Abs((i / nu) - (j / nv)) * (next - previous);
            previous = next;
            while (i < u.Length && u[i] <= next) i++;
            while (j < v.Length && v[j] <= next) j++;
        }

        return total;
    }
}
