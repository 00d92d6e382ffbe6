using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>The monitors' sort-free comparison of an unsorted window with a reference (values placed in the reference's
/// gaps): its KS statistic is the exact ratio of whole numbers correctly rounded (the reference functions, which go
/// through floating-point CDFs, within an ulp or two of it) and its Wasserstein distance the reference function's to
/// rounding, on continuous windows of many shapes (shifted, scaled, partly or wholly outside the reference's range,
/// drawn from the same distribution so that the CDFs cross often) against references with repeated values; every pass
/// width gives the same; values placed one by one as a reservoir takes and replaces them give what a fresh comparison of
/// the final values gives, in a monitor too; it gives up on a window value equal to a reference value, and on sizes past
/// its 16-bit counts, and the scorer then still gives the reference functions' values.</summary>
public sealed class GapComparisonTests
{
    // The reference functions round each CDF (at most 1) and their difference: they stay within two ulps of 1 of the exact value.
    private const double TwoUlpsOfOne = 4.5e-16;

    [Property(MaxTest = 400, Replay = "(1923847561029384756,5647382910564738291)")]
    public Property Gaps_OnContinuousWindows_GiveTheExactKsAndTheReferenceWasserstein() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var (reference, window) = ContinuousPair(random);
        var profile = NumericReferenceProfile.FromSample(reference, 10);
        if (profile.RankTable is not { } table) return true.Label("no rank table: the scorer walks sorted samples instead");
        var computed = ReferenceGaps.TryCompute(table, window, out var ks, out var wasserstein);
        var sortedReference = reference.Order().ToArray();
        var sortedWindow = window.Order().ToArray();
        var exact = ExactKs(sortedReference, sortedWindow);
        var viaCdfs = KolmogorovSmirnovTest.Statistic(sortedReference, sortedWindow);
        var expectedWasserstein = WassersteinDistance.ComputeSorted(sortedReference, sortedWindow);
        var range = sortedReference[^1] - sortedReference[0] + Math.Abs(sortedWindow[^1] - sortedWindow[0]);
        return (computed
            && Bits(ks) == Bits(exact)
            && Math.Abs(viaCdfs - exact) <= TwoUlpsOfOne
            && Math.Abs(wasserstein - expectedWasserstein) <= 1e-12 * Math.Max(expectedWasserstein, range))
            .Label($"n={reference.Length} m={window.Length}: KS {ks:R} vs exact {exact:R} (via CDFs {viaCdfs:R}), W {wasserstein:R} vs {expectedWasserstein:R}");
    });

    [Property(MaxTest = 150, Replay = "(6102938475610293847,2938475610293847561)")]
    public Property Gaps_AtEveryPassWidth_GiveTheSameStatistics() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var (reference, window) = ContinuousPair(random);
        if (NumericReferenceProfile.FromSample(reference, 10).RankTable is not { } table) return true.Label("no rank table");
        var results = Widths().Select(width =>
        {
            var gaps = Placed(table, window);
            Assert.True(gaps.TryCompareAndClear(window, width, out var ks, out var wasserstein));
            return (Width: width, Ks: ks, Wasserstein: wasserstein);
        }).ToList();
        var (_, firstKs, firstWasserstein) = results[0];
        return results.All(r => Bits(r.Ks) == Bits(firstKs) && Tolerance.IsRelativelyClose(firstWasserstein, r.Wasserstein, Tolerance.FastPath))
            .Label($"n={reference.Length} m={window.Length}: {string.Join("; ", results.Select(r => $"{r.Width} at a time: KS {r.Ks:R} W {r.Wasserstein:R}"))}");
    });

    [Property(MaxTest = 150, Replay = "(3847561029384756102,8475610293847561029)")]
    public Property Gaps_PlacedAsAReservoirReplacesValues_GiveAFreshComparisonOfTheFinalValues() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var (reference, stream) = ContinuousPair(random);
        if (NumericReferenceProfile.FromSample(reference, 10).RankTable is not { } table) return true.Label("no rank table");
        var capacity = Math.Max(1, stream.Length / (1 + random.Next(4)));
        var slots = new double[capacity];
        var gaps = new ReferenceGaps(table, capacity);
        for (var i = 0; i < stream.Length; i++)
        {
            if (i < capacity)
            {
                slots[i] = stream[i];
                gaps.Add(stream[i]);
            }
            else
            {
                var slot = random.Next(capacity);
                slots[slot] = stream[i];
                gaps.Replace(slot, stream[i]);
            }
        }

        var filled = slots[..Math.Min(capacity, stream.Length)];
        Assert.True(gaps.TryCompareAndClear(filled, out var ks, out var wasserstein));
        Assert.True(ReferenceGaps.TryCompute(table, filled, out var freshKs, out var freshWasserstein));
        return (Bits(ks) == Bits(freshKs) && Tolerance.IsRelativelyClose(freshWasserstein, wasserstein, Tolerance.FastPath))
            .Label($"n={reference.Length}, {stream.Length} values through {capacity} slots: KS {ks:R} vs {freshKs:R}, W {wasserstein:R} vs {freshWasserstein:R}");
    });

    [Fact]
    public void Gaps_WithWindowValuesOnBothSidesOfTheReference_CountEveryOutsideValue()
    {
        var reference = Enumerable.Range(0, 100).Select(i => i + 0.5).ToArray();
        double[] window = [-3.25, 250.75, 40.1, -1.5, 120.0, 99.9];
        var table = NumericReferenceProfile.FromSample(reference).RankTable!;

        Assert.True(ReferenceGaps.TryCompute(table, window, out var ks, out var wasserstein));

        var sortedWindow = window.Order().ToArray();
        Assert.Equal(Bits(ExactKs(reference, sortedWindow)), Bits(ks));
        Assert.Equal(WassersteinDistance.ComputeSorted(reference, sortedWindow), wasserstein, 1e-12);
    }

    [Fact]
    public void Gaps_WithAWindowValueEqualToAReferenceValue_GiveUpAndStartTheNextWindowClean()
    {
        var reference = Enumerable.Range(0, 200).Select(i => i * 0.25).ToArray();
        var table = NumericReferenceProfile.FromSample(reference).RankTable!;
        var gaps = new ReferenceGaps(table, 3);
        gaps.Add(3.1);
        gaps.Add(7.3);
        gaps.Add(9.9);
        // The reservoir replaces a value with one that ties: the gaps give up.
        gaps.Replace(1, 7.25);

        Assert.True(gaps.Tied);
        Assert.False(gaps.TryCompareAndClear([3.1, 7.25, 9.9], out _, out _));

        // Emptied: the next window is compared as if the first had never been seen.
        Assert.False(gaps.Tied);
        foreach (var value in (double[])[3.1, 7.3, 9.9]) gaps.Add(value);
        Assert.True(gaps.TryCompareAndClear([3.1, 7.3, 9.9], out var ks, out var wasserstein));
        Assert.Equal(Bits(ExactKs(reference, [3.1, 7.3, 9.9])), Bits(ks));
        Assert.Equal(WassersteinDistance.ComputeSorted(reference, [3.1, 7.3, 9.9]), wasserstein, 1e-12);
    }

    [Fact]
    public void Gaps_WithSizesPastTheirInt32Lanes_TakeTheWholeNumbersPass()
    {
        // 60,000 x 40,000 is past 2^31: the vector passes do not apply, the one-at-a-time pass in 64-bit integers does.
        var random = new Random(11);
        var reference = Enumerable.Range(0, 60_000).Select(_ => Normal(random)).ToArray();
        var window = Enumerable.Range(0, 40_000).Select(_ => 0.02 + Normal(random)).ToArray();
        var table = NumericReferenceProfile.FromSample(reference).RankTable!;

        Assert.True(ReferenceGaps.TryCompute(table, window, out var ks, out var wasserstein));

        var sortedReference = reference.Order().ToArray();
        var sortedWindow = window.Order().ToArray();
        Assert.Equal(Bits(ExactKs(sortedReference, sortedWindow)), Bits(ks));
        Tolerance.Relative(WassersteinDistance.ComputeSorted(sortedReference, sortedWindow), wasserstein, Tolerance.FastPath, "Wasserstein");
    }

    [Theory]
    [InlineData(70_000, 800)]
    [InlineData(2_000, 70_000)]
    public void Scorer_WithSamplesPast16Bits_SortsAndGivesTheReferenceFunctionsStatistics(int referenceSize, int windowSize)
    {
        // A reference past 65,535 values gets no rank table; a window past it cannot be placed in 16-bit gaps.
        var random = new Random(12);
        var reference = Enumerable.Range(0, referenceSize).Select(_ => Normal(random)).ToArray();
        var window = Enumerable.Range(0, windowSize).Select(_ => 0.1 + Normal(random)).ToArray();
        var profile = NumericReferenceProfile.FromSample(reference);
        if (profile.RankTable is { } table) Assert.False(ReferenceGaps.TryCompute(table, window, out _, out _));
        else Assert.True(referenceSize > ReferenceRankTable.MaxCount);

        var score = DriftScorer.ScoreNumeric("x", reference, window, method: KolmogorovSmirnovMethod.Asymptotic);

        var sortedReference = reference.Order().ToArray();
        var sortedWindow = window.Order().ToArray();
        Assert.Equal(Bits(KolmogorovSmirnovTest.Statistic(sortedReference, sortedWindow)), Bits(score.KolmogorovSmirnov!.Statistic));
        Tolerance.Relative(WassersteinDistance.ComputeSorted(sortedReference, sortedWindow), score.Wasserstein!.Value, Tolerance.FastPath, "Wasserstein");
    }

    [Theory]
    [InlineData(500, 3_000, 0.05, 1)]
    [InlineData(1_000, 25_000, 0.0, 2)]
    [InlineData(64, 640, 0.5, 3)]
    public void Monitor_WhoseReservoirReplacedValues_ScoresItsFinalValuesAsAFreshComparisonDoes(int sample, int records, double shift, int seed)
    {
        var random = new Random(seed);
        var training = Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).ToArray();
        var bins = QuantileBinning.FromReference(training);
        var profile = new BaselineProfile
        {
            Numeric = new Dictionary<string, NumericFeatureProfile>
            {
                ["x"] = new() { BinEdges = bins.Edges, Proportions = [.. bins.Count(training).Select(c => c / 2_000.0)], Sample = training },
            },
        };
        // The window outgrows its sample, so the reservoir replaces values; it closes by time, with no record added.
        var monitor = new MonitorWindow(profile, ModelTask.Regression, new MonitorSpec(MaxRecords: records + 1, SampleSize: sample), DateTimeOffset.UnixEpoch);
        var values = Enumerable.Range(0, records).Select(_ => random.NextDouble() + shift).ToArray();
        Assert.Null(monitor.AddColumns([values], DateTimeOffset.UnixEpoch));
        var kept = monitor.SampleOf("x");
        var report = monitor.Tick(DateTimeOffset.UnixEpoch + new MonitorSpec().WindowDuration);

        var score = Assert.Single(report!.Scores);
        var sortedReference = training.Order().ToArray();
        var sortedKept = kept.Order().ToArray();
        Assert.Equal(sample, kept.Length);
        Assert.Equal(Bits(ExactKs(sortedReference, sortedKept)), Bits(score.KolmogorovSmirnov!.Statistic));
        Tolerance.Relative(WassersteinDistance.ComputeSorted(sortedReference, sortedKept), score.Wasserstein!.Value, Tolerance.FastPath, "Wasserstein");
        Assert.Equal(records, score.CurrentCount);
    }

    [Property(MaxTest = 200, Replay = "(8273645190283746519,1029384756102938475)")]
    public Property WindowScore_OnDiscreteValues_SortsAndGivesTheReferenceFunctionsStatistics() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        // Integers on both sides: ties between the window and the reference everywhere.
        var reference = Enumerable.Range(0, random.Next(2, 500)).Select(_ => (double)random.Next(0, 30)).ToArray();
        var window = Enumerable.Range(0, random.Next(1, 500)).Select(_ => (double)random.Next(-3, 35)).ToArray();
        var profile = NumericReferenceProfile.FromSample(reference, 5);
        var spare = new double[window.Length + 1];
        window.CopyTo(spare, 0);
        var score = DriftScorer.ScoreWindowNumeric("x", profile, profile.Bins.Count(window), spare, KolmogorovSmirnovMethod.Asymptotic);
        var sortedReference = reference.Order().ToArray();
        var sortedWindow = window.Order().ToArray();
        return (Bits(score.KolmogorovSmirnov!.Statistic) == Bits(KolmogorovSmirnovTest.Statistic(sortedReference, sortedWindow))
            && Math.Abs(score.Wasserstein!.Value - WassersteinDistance.ComputeSorted(sortedReference, sortedWindow)) <= 1e-12 * 40)
            .Label($"n={reference.Length} m={window.Length}");
    });

    /// <summary>The two-sample KS statistic as the exact ratio max |i m - j n| / (n m) over the pooled values of two
    /// ascending samples (i and j the values at or below each, in whole numbers), correctly rounded by one division.</summary>
    private static double ExactKs(double[] sortedReference, double[] sortedWindow)
    {
        long n = sortedReference.Length, m = sortedWindow.Length, largest = 0;
        int i = 0, j = 0;
        while (i < n || j < m)
        {
            var x = j >= m || (i < n && sortedReference[i] <= sortedWindow[j]) ? sortedReference[i] : sortedWindow[j];
            while (i < n && sortedReference[i] == x) i++;
            while (j < m && sortedWindow[j] == x) j++;
            largest = Math.Max(largest, Math.Abs((i * m) - (j * n)));
        }

        return largest / ((double)n * m);
    }

    /// <summary>The pass widths this machine runs: one at a time always, then 8 (AVX2) and 16 (AVX-512) where supported.</summary>
    private static IEnumerable<int> Widths() => new[] { 1, 8, 16 }.Where(w => w <= ReferenceGaps.WidestPass);

    private static ReferenceGaps Placed(ReferenceRankTable table, double[] window)
    {
        var gaps = new ReferenceGaps(table, window.Length);
        foreach (var value in window) gaps.Add(value);
        return gaps;
    }

    private static (double[] Reference, double[] Window) ContinuousPair(Random random)
    {
        var n = random.Next(2, 3_000);
        var m = random.Next(1, 2_000);
        var offset = random.Next(4) switch { 0 => 0.0, 1 => 1e6, 2 => -250.0, _ => 1.7e9 };
        var scale = Math.Pow(10, random.Next(-3, 4));
        // A few repeated reference values (a baseline sampled with replacement) leave empty gaps of zero length.
        var reference = Enumerable.Range(0, n).Select(_ => offset + (scale * Normal(random))).ToArray();
        for (var i = 0; i < n / 20; i++) reference[random.Next(n)] = reference[random.Next(n)];
        var shift = random.Next(4) switch { 0 => 0.0, 1 => 0.05, 2 => 0.5, _ => 4.0 } * scale;
        var stretch = random.Next(3) switch { 0 => 1.0, 1 => 1.5, _ => 0.3 };
        var set = reference.ToHashSet();
        var window = new double[m];
        for (var i = 0; i < m; i++)
        {
            // Continuous draws: a draw equal to a reference value (a tie) is drawn again.
            do window[i] = offset + shift + (stretch * scale * Normal(random));
            while (set.Contains(window[i]));
        }

        return (reference, window);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
}
