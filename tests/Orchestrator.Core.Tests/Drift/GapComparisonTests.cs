using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Orchestrator.Core.Drift;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>The monitors' sort-free comparison of an unsorted window with a reference (values put into the reference's
/// gaps) gives the reference functions' KS statistic bit for bit and their Wasserstein distance to rounding: on
/// continuous windows of many shapes (shifted, scaled, partly or wholly outside the reference's range, drawn from the same
/// distribution so that the CDFs cross often), against references with repeated values; it gives up on a window value
/// equal to a reference value, and the scorer then still gives the reference functions' values by sorting.</summary>
public sealed class GapComparisonTests
{
    [Property(MaxTest = 400, Replay = "(1923847561029384756,5647382910564738291)")]
    public Property Gaps_OnContinuousWindows_GiveTheReferenceFunctionsStatistics() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var (reference, window) = ContinuousPair(random);
        var profile = NumericReferenceProfile.FromSample(reference, 10);
        if (profile.RankTable is not { } table) return true.Label("no rank table: the scorer walks sorted samples instead");
        var computed = ReferenceGapComparison.TryCompute(table, window, out var ks, out var wasserstein);
        var sortedReference = reference.Order().ToArray();
        var sortedWindow = window.Order().ToArray();
        var expectedKs = KolmogorovSmirnovTest.Statistic(sortedReference, sortedWindow);
        var expectedWasserstein = WassersteinDistance.ComputeSorted(sortedReference, sortedWindow);
        var range = sortedReference[^1] - sortedReference[0] + Math.Abs(sortedWindow[^1] - sortedWindow[0]);
        return (computed
            && BitConverter.DoubleToInt64Bits(ks) == BitConverter.DoubleToInt64Bits(expectedKs)
            && Math.Abs(wasserstein - expectedWasserstein) <= 1e-12 * Math.Max(expectedWasserstein, range))
            .Label($"n={reference.Length} m={window.Length}: KS {ks} vs {expectedKs}, W {wasserstein} vs {expectedWasserstein}");
    });

    [Fact]
    public void Gaps_WithWindowValuesOnBothSidesOfTheReference_CountEveryOutsideValue()
    {
        var reference = Enumerable.Range(0, 100).Select(i => i + 0.5).ToArray();
        double[] window = [-3.25, 250.75, 40.1, -1.5, 120.0, 99.9];
        var table = NumericReferenceProfile.FromSample(reference).RankTable!;

        Assert.True(ReferenceGapComparison.TryCompute(table, window, out var ks, out var wasserstein));

        var sortedWindow = window.Order().ToArray();
        Assert.Equal(KolmogorovSmirnovTest.Statistic(reference, sortedWindow), ks);
        Assert.Equal(WassersteinDistance.ComputeSorted(reference, sortedWindow), wasserstein, 1e-12);
    }

    [Fact]
    public void Gaps_WithAWindowValueEqualToAReferenceValue_GiveUp()
    {
        var reference = Enumerable.Range(0, 200).Select(i => i * 0.25).ToArray();
        var table = NumericReferenceProfile.FromSample(reference).RankTable!;

        Assert.False(ReferenceGapComparison.TryCompute(table, [3.1, 7.25, 9.9], out _, out _));
        // The scratch is left clean: the next window is compared as if the first had never been seen.
        Assert.True(ReferenceGapComparison.TryCompute(table, [3.1, 7.3, 9.9], out var ks, out var wasserstein));
        Assert.Equal(KolmogorovSmirnovTest.Statistic(reference, [3.1, 7.3, 9.9]), ks);
        Assert.Equal(WassersteinDistance.ComputeSorted(reference, [3.1, 7.3, 9.9]), wasserstein, 1e-12);
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
        return (BitConverter.DoubleToInt64Bits(score.KolmogorovSmirnov!.Statistic) == BitConverter.DoubleToInt64Bits(KolmogorovSmirnovTest.Statistic(sortedReference, sortedWindow))
            && Math.Abs(score.Wasserstein!.Value - WassersteinDistance.ComputeSorted(sortedReference, sortedWindow)) <= 1e-12 * 40)
            .Label($"n={reference.Length} m={window.Length}");
    });

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
}
