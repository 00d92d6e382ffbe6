using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

using Orchestrator.Core.Drift;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>The window-only scoring pass agrees with the reference functions on random data, ties included: the bucket
/// sort orders as the comparison sort, the rank table's KS statistic equals <see cref="KolmogorovSmirnovTest.Statistic"/>
/// bit for bit, the quantile plan's Wasserstein distance is within 1e-12 relative of
/// <see cref="WassersteinDistance.ComputeSorted"/>, and a reference too bunched for a table falls back to the merge.</summary>
public sealed class WindowPassTests
{
    [Property(MaxTest = 300, Replay = "(1834402751193826117,2209348571029384713)")]
    public Property BucketSort_OnRandomDoubles_GivesTheComparisonSortsOrder() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var kind = random.Next(4);
        var values = Enumerable.Range(0, random.Next(0, 3_000)).Select(_ => kind switch
        {
            // Spread evenly, on a coarse grid (ties), with rare huge outliers (one bucket takes nearly all), and wild.
            0 => random.NextDouble() * 10 - 5,
            1 => random.Next(-20, 20) * 0.5,
            2 => random.Next(100) == 0 ? 1e12 * random.NextDouble() : random.NextDouble(),
            _ => random.Next(3) switch
            {
                0 => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300)),
                1 => random.Next(2) == 0 ? double.MaxValue : -double.MaxValue,
                _ => random.Next(2) == 0 ? -0.0 : double.Epsilon,
            },
        }).ToArray();
        var expected = values.Order().ToArray();
        BucketSort.Sort(values);
        return values.SequenceEqual(expected) && values.Zip(values.Skip(1)).All(p => p.First <= p.Second);
    });

    [Property(MaxTest = 500, Replay = "(6650197312054881923,1120943761828365011)")]
    public Property RankTable_OnRandomSamples_GivesTheReferenceKolmogorovSmirnovBitForBit() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var reference = RandomSample(random);
        var current = RandomSample(random);
        var table = Table(reference);
        return (table is null || Bits(table.KolmogorovSmirnov([.. current, double.PositiveInfinity])) == Bits(KolmogorovSmirnovTest.Statistic(reference, current)))
            .Label($"reference {reference.Length}, current {current.Length}");
    });

    [Property(MaxTest = 500, Replay = "(4102938475610293847,9182736450192837465)")]
    public Property QuantilePlan_OnRandomSamples_IsWithin1e12OfTheReferenceWasserstein() => Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
    {
        var random = new Random(seed);
        var reference = RandomSample(random);
        var current = RandomSample(random);
        var expected = WassersteinDistance.ComputeSorted(reference, current);
        var actual = QuantileCoupling.For(reference.Length, current.Length).Distance(reference, current);
        return Tolerance.IsRelativelyClose(expected, actual, Tolerance.FastPath).Label($"expected {expected:R}, got {actual:R}");
    });

    [Fact]
    public void RankTable_OnASpreadSample_IsBuilt_AndOnHeavyTies_IsNot()
    {
        var random = new Random(5);
        Assert.NotNull(Table(Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).Order().ToArray()));
        Assert.Null(Table(Enumerable.Range(0, 2_000).Select(_ => (double)random.Next(3)).Order().ToArray()));
        Assert.Null(Table([1.0, 1.0, 1.0]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void ScoreNumeric_WithOrWithoutARankTable_GivesTheReferenceStatistics(int distinctReferenceValues)
    {
        var random = new Random(11);
        // A reference of a few distinct values gets no table and takes the merged pass; a spread one takes the table.
        var reference = Enumerable.Range(0, 2_000).Select(_ => distinctReferenceValues == 0 ? random.NextDouble() : random.Next(distinctReferenceValues)).ToArray();
        var current = Enumerable.Range(0, 700).Select(_ => Math.Round(random.NextDouble() * 3, 2)).ToArray();
        var profile = NumericReferenceProfile.FromSample(reference);
        Assert.Equal(distinctReferenceValues == 0, profile.RankTable is not null);

        var score = DriftScorer.ScoreNumeric("x", profile, profile.Bins.Count(current), current, KolmogorovSmirnovMethod.Asymptotic);

        var sortedReference = reference.Order().ToArray();
        var sortedCurrent = current.Order().ToArray();
        Assert.Equal(Bits(KolmogorovSmirnovTest.Statistic(sortedReference, sortedCurrent)), Bits(score.KolmogorovSmirnov!.Statistic));
        Tolerance.Relative(WassersteinDistance.ComputeSorted(sortedReference, sortedCurrent), score.Wasserstein!.Value, Tolerance.FastPath, "Wasserstein");
    }

    // Samples of 1 to 3,000 values, ascending: spread (the table applies), on a grid (ties, sometimes too many for a
    // table), or mixed with signed zeros.
    private static double[] RandomSample(Random random)
    {
        var n = random.Next(1, 3_001);
        var kind = random.Next(3);
        var grid = random.Next(1, 2_000);
        var sample = Enumerable.Range(0, n).Select(_ => kind switch
        {
            0 => random.NextDouble() * 4 + 1,
            1 => random.Next(-grid, grid + 1) / 4.0,
            _ => random.Next(3) switch
            {
                0 => random.Next(-grid, grid + 1) / 4.0,
                1 => random.NextDouble() * grid,
                _ => random.Next(2) == 0 ? -0.0 : 0.0,
            },
        }).ToArray();
        Array.Sort(sample);
        return sample;
    }

    private static ReferenceRankTable? Table(double[] sorted) =>
        ReferenceRankTable.TryBuild([.. sorted, .. Enumerable.Repeat(double.PositiveInfinity, ReferenceRankTable.Padding)], sorted.Length);

    private static long Bits(double value) => BitConverter.DoubleToInt64Bits(value);
}
