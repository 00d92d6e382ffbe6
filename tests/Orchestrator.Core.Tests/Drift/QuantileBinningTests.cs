using Orchestrator.Core.Drift;

namespace Orchestrator.Core.Tests.Drift;

/// <summary>Quantile binning: searchsorted-right semantics at and between edges, batch counting into a window, and
/// both fast paths (SIMD compare, binary search) agreeing with a linear scan.</summary>
public sealed class QuantileBinningTests
{
    [Fact]
    public void ValueOnAnEdge_GoesToTheBinAbove()
    {
        var bins = new QuantileBinning([1.0, 2.0, 2.0, 3.0]);
        Assert.Equal(0, bins.BinOf(0.5));
        Assert.Equal(1, bins.BinOf(1.0));
        Assert.Equal(3, bins.BinOf(2.0));
        Assert.Equal(3, bins.BinOf(2.5));
        Assert.Equal(4, bins.BinOf(3.0));
        Assert.Equal(4, bins.BinOf(1e300));
    }

    [Fact]
    public void SimdAndBinarySearchPaths_AgreeWithALinearScan_ForEveryEdgeCount()
    {
        // Up to 32 edges the SIMD compare bins, beyond it the binary search; both must equal searchsorted-right.
        var random = new Random(7);
        for (var edgesCount = 0; edgesCount < 45; edgesCount++)
        {
            var edges = Enumerable.Range(0, edgesCount).Select(_ => Math.Round(random.NextDouble() * 10, 1)).Order().ToArray();
            var bins = new QuantileBinning(edges);
            for (var i = 0; i < 500; i++)
            {
                var value = Math.Round((random.NextDouble() * 12) - 1, 1);
                var expected = edges.Count(e => e <= value);
                Assert.Equal(expected, bins.BinOf(value));
                Assert.Equal(expected, QuantileBinning.BinOf(edges, value));
                var counts = new long[bins.BinCount];
                bins.Accumulate([value], counts);
                Assert.Equal(1, counts[expected]);
            }
        }
    }

    [Fact]
    public void Accumulate_AddsToTheWindowAndChecksItsLength()
    {
        var bins = new QuantileBinning([0.0]);
        var counts = new long[2];
        bins.Accumulate([-1.0, 0.0, 1.0], counts);
        bins.Accumulate([-2.0], counts);
        Assert.Equal([2L, 2], counts);
        var e = Assert.Throws<ArgumentException>(() => bins.Accumulate([1.0], new long[3]));
        Assert.Contains("give 2", e.Message);
    }

    [Fact]
    public void FromReference_RejectsEmptySamplesNonFiniteValuesAndTooFewBins()
    {
        Assert.Throws<ArgumentException>(() => QuantileBinning.FromReference([]));
        Assert.Throws<ArgumentException>(() => QuantileBinning.FromReference([1.0, double.PositiveInfinity]));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantileBinning.FromReference([1.0], 1));
        Assert.Throws<ArgumentException>(() => new QuantileBinning([2.0, 1.0]));
    }
}
