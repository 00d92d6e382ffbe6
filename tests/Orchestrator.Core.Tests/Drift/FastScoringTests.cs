using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>The monitors' fast scoring path gives the statistics of the reference functions (bit for bit, Wasserstein
/// within 1e-12 relative): the radix sort
/// orders as the comparison sort does, the merged KS and
/// Wasserstein pass against the separate merges (ties, signed zeros and unequal sizes included), the allocation-free PSI
/// and JS against proportions computed apart, the p-value cache against a fresh computation, and a closed window's
/// report against the reference functions on the same values.</summary>
public sealed class FastScoringTests
{
    [Property(MaxTest = 500, Replay = "(5417362810348826717,1289341023482137417)")]
    public Property MergedPass_OnRandomSamples_EqualsTheSeparateReferenceMerges() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var reference = RandomSample(random);
        var current = RandomSample(random);
        var (ks, wasserstein) = SortedSampleComparison.Compute(WithSentinel(reference), WithSentinel(current));
        return Bits(ks) == Bits(KolmogorovSmirnovTest.Statistic(reference, current))
            && Bits(wasserstein) == Bits(WassersteinDistance.ComputeSorted(reference, current));
    });

    [Theory]
    [InlineData(new[] { 1.0 }, new[] { 1.0 })]
    [InlineData(new[] { 1.0, 1.0, 2.0 }, new[] { 1.0 })]
    [InlineData(new[] { 0.0 }, new[] { -0.0, 0.0, 3.0 })]
    [InlineData(new[] { 1.0, 2.0 }, new[] { 3.0, 4.0, 5.0 })]
    [InlineData(new[] { 3.0, 4.0, 5.0 }, new[] { 1.0, 2.0, 2.0, 5.0, 5.0 })]
    public void MergedPass_OnEdgeCases_EqualsTheSeparateReferenceMerges(double[] reference, double[] current)
    {
        Array.Sort(reference);
        Array.Sort(current);
        var (ks, wasserstein) = SortedSampleComparison.Compute(WithSentinel(reference), WithSentinel(current));
        Assert.Equal(Bits(KolmogorovSmirnovTest.Statistic(reference, current)), Bits(ks));
        Assert.Equal(Bits(WassersteinDistance.ComputeSorted(reference, current)), Bits(wasserstein));
    }

    [Fact]
    public void MergedPass_WithoutTheSentinel_IsRejectedSayingSo()
    {
        var error = Assert.Throws<ArgumentException>(() => SortedSampleComparison.Compute([1.0, 2.0], [1.0, double.PositiveInfinity]));
        Assert.Contains("+infinity in the slot after its values", error.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300, Replay = "(7340051947816226281,3116580915823440641)")]
    public Property RadixSort_OnRandomDoubles_GivesTheComparisonSortsOrder() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, random.Next(0, 3_000)).Select(_ => random.Next(4) switch
        {
            0 => random.Next(-20, 20) * 0.5,
            1 => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300)),
            2 => random.Next(2) == 0 ? double.MaxValue : -double.Epsilon,
            _ => random.NextDouble(),
        }).ToArray();
        var expected = values.Order().ToArray();
        RadixSort.Sort(values);
        // Equal as numbers everywhere (a -0 and a +0 may swap, which no statistic can tell apart).
        return values.SequenceEqual(expected) && values.Zip(values.Skip(1)).All(p => p.First <= p.Second);
    });

    [Property(MaxTest = 200, Replay = "(9165487203318754219,4418837110278437761)")]
    public Property BinnedStatistics_OnRandomCounts_EqualThoseFromProportionsComputedApart() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var bins = random.Next(1, 40);
        var reference = Enumerable.Range(0, bins).Select(_ => (long)random.Next(0, 1_000)).ToArray();
        var current = Enumerable.Range(0, bins).Select(_ => (long)random.Next(0, 1_000)).ToArray();
        reference[0]++;
        current[^1]++;
        var r = BinProportions.FromCounts(reference);
        var c = BinProportions.FromCounts(current);
        return Bits(PopulationStabilityIndex.FromCounts(reference, current)) == Bits(PopulationStabilityIndex.FromProportions(r, c))
            && Bits(JensenShannonDistance.FromCounts(reference, current)) == Bits(JensenShannonDistance.FromProportions(r, c));
    });

    [Fact]
    public void PValueCache_HitOrMiss_GivesTheFreshComputation()
    {
        var cache = new KolmogorovPValueCache(4);
        foreach (var d in new[] { 0.01, 0.03, 0.0755, 0.2, 0.03, 0.0755, 0.01 })
        {
            foreach (var (n1, n2, method) in new[] { (2_000, 1_000, KolmogorovSmirnovMethod.Asymptotic), (60, 40, KolmogorovSmirnovMethod.Auto), (2_000, 500, KolmogorovSmirnovMethod.Asymptotic) })
            {
                Assert.Equal(KolmogorovSmirnovTest.PValue(d, n1, n2, method), cache.PValue(d, n1, n2, method));
            }
        }
    }

    [Theory]
    [InlineData(1_000, 0.05, 1)]
    [InlineData(500, 0.0, 2)]
    [InlineData(50, 0.3, 3)]
    public void ClosedWindow_ScoresEqualTheReferenceFunctionsOnItsValues(int records, double shift, int seed)
    {
        var random = new Random(seed);
        var training = Enumerable.Range(0, 2_000).Select(_ => Math.Round(random.NextDouble(), 3)).ToArray();
        var bins = QuantileBinning.FromReference(training);
        var profile = new BaselineProfile
        {
            Numeric = new Dictionary<string, NumericFeatureProfile>
            {
                ["x"] = new() { BinEdges = bins.Edges, Proportions = [.. bins.Count(training).Select(c => c / 2_000.0)], Sample = training },
            },
        };
        // A window as large as its sample keeps every value, so the reference functions can see the same ones.
        var monitor = new MonitorWindow(profile, ModelTask.Regression, new MonitorSpec(MaxRecords: records, SampleSize: records), DateTimeOffset.UnixEpoch);
        var values = Enumerable.Range(0, records).Select(_ => Math.Round(random.NextDouble() + shift, 3)).ToArray();
        var report = monitor.AddColumns([values], DateTimeOffset.UnixEpoch);

        var score = Assert.Single(report!.Scores);
        var sortedReference = training.Order().ToArray();
        var sortedCurrent = values.Order().ToArray();
        var d = KolmogorovSmirnovTest.Statistic(sortedReference, sortedCurrent);
        var method = 2_000L * records <= new MonitorSpec().ExactKsLimit ? KolmogorovSmirnovMethod.Auto : KolmogorovSmirnovMethod.Asymptotic;
        var referenceCounts = bins.Count(training);
        var windowCounts = bins.Count(values);
        Assert.Equal(Bits(d), Bits(score.KolmogorovSmirnov!.Statistic));
        Assert.Equal(KolmogorovSmirnovTest.PValue(d, 2_000, records, method), (score.KolmogorovSmirnov.PValue, score.KolmogorovSmirnov.Method));
        Tolerance.Relative(WassersteinDistance.ComputeSorted(sortedReference, sortedCurrent), score.Wasserstein!.Value, Tolerance.FastPath, "Wasserstein");
        Assert.Equal(Bits(PopulationStabilityIndex.FromProportions(BinProportions.FromCounts(Scaled(training.Length, referenceCounts)), BinProportions.FromCounts(windowCounts))), Bits(score.Psi));
        Assert.Equal(records, score.CurrentCount);
    }

    // Samples of 1 to 300 values with many ties (values on a coarse grid), sometimes signed zeros, ascending.
    private static double[] RandomSample(Random random)
    {
        var n = random.Next(1, 301);
        var grid = random.Next(1, 50);
        var sample = Enumerable.Range(0, n).Select(_ => random.Next(3) switch
        {
            0 => random.Next(-grid, grid + 1) / 4.0,
            1 => random.NextDouble() * grid,
            _ => random.Next(2) == 0 ? -0.0 : 0.0,
        }).ToArray();
        Array.Sort(sample);
        return sample;
    }

    private static double[] WithSentinel(double[] sorted) => [.. sorted, double.PositiveInfinity];

    // The monitor turns the baseline's proportions into counts at a scale of a million.
    private static long[] Scaled(int total, long[] counts) => [.. counts.Select(c => (long)Math.Round((double)c / total * 1_000_000))];

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
}
