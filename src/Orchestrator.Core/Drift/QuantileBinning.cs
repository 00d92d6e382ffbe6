using System.Numerics;
using System.Runtime.CompilerServices;

namespace Orchestrator.Core.Drift;

/// <summary>Bins of a numeric feature cut at the reference sample's quantiles: the interior edges of
/// <c>numpy.quantile(reference, numpy.linspace(0, 1, bins + 1)[1:-1], method="linear")</c>, and a value goes to bin
/// <c>numpy.searchsorted(edges, value, side="right")</c> (a value equal to an edge goes to the bin above it).</summary>
public sealed class QuantileBinning
{
    // Up to this many edges a value is binned by comparing it with all edges at once in SIMD registers; beyond it, by
    // binary search. Ten bins have nine edges: three 256-bit compares and a horizontal sum per value.
    private const int SimdEdgeLimit = 32;

    private readonly double[] _edges;

    // The edges padded with +infinity to whole SIMD vectors (a padding lane never counts for a finite value), or null
    // when the SIMD path does not apply.
    private readonly Vector<double>[]? _edgeVectors;

    /// <summary>Binning over the given interior edges, which must be finite and non-decreasing.</summary>
    public QuantileBinning(IEnumerable<double> interiorEdges)
    {
        ArgumentNullException.ThrowIfNull(interiorEdges);
        _edges = [.. interiorEdges];
        for (var i = 0; i < _edges.Length; i++)
        {
            if (!double.IsFinite(_edges[i])) throw new ArgumentException($"edge {i} is {_edges[i]}; edges must be finite", nameof(interiorEdges));
            if (i > 0 && _edges[i] < _edges[i - 1]) throw new ArgumentException($"edge {i} ({_edges[i]}) is below edge {i - 1} ({_edges[i - 1]}); edges must not decrease", nameof(interiorEdges));
        }

        if (Vector.IsHardwareAccelerated && _edges.Length > 0 && _edges.Length <= SimdEdgeLimit)
        {
            var lanes = Vector<double>.Count;
            var padded = new double[(_edges.Length + lanes - 1) / lanes * lanes];
            Array.Fill(padded, double.PositiveInfinity);
            _edges.CopyTo(padded, 0);
            _edgeVectors = new Vector<double>[padded.Length / lanes];
            for (var v = 0; v < _edgeVectors.Length; v++) _edgeVectors[v] = new Vector<double>(padded, v * lanes);
        }
    }

    /// <summary>The interior edges, ascending (one fewer than the bins).</summary>
    public IReadOnlyList<double> Edges => Array.AsReadOnly(_edges);

    /// <summary>How many bins there are.</summary>
    public int BinCount => _edges.Length + 1;

    /// <summary>Cuts <paramref name="reference"/> into <paramref name="binCount"/> bins of equal reference mass.</summary>
    /// <exception cref="ArgumentException">The sample is empty or holds a value that is not finite, or fewer than 2 bins are asked.</exception>
    public static QuantileBinning FromReference(ReadOnlySpan<double> reference, int binCount = 10)
    {
        if (binCount < 2) throw new ArgumentOutOfRangeException(nameof(binCount), binCount, "give at least 2 bins");
        if (reference.IsEmpty) throw new ArgumentException("the reference sample is empty", nameof(reference));
        var sorted = SortedFinite(reference, nameof(reference));
        var edges = new double[binCount - 1];
        // q as numpy.linspace(0, 1, bins + 1) makes it (i * step, so 0.6000000000000001 for the sixth decile): with it
        // the edges equal numpy's bit for bit, and a value lying exactly on an edge lands in the same bin.
        for (var i = 1; i < binCount; i++) edges[i - 1] = LinearQuantile(sorted, i * (1.0 / binCount));
        return new QuantileBinning(edges);
    }

    /// <summary>numpy's <c>quantile(sorted, q, method="linear")</c> of an ascending sample: virtual index <c>(n-1)q</c>,
    /// then numpy's <c>_lerp</c>, which interpolates from the upper neighbour when the fraction is at least 0.5.</summary>
    public static double LinearQuantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty) throw new ArgumentException("the sample is empty", nameof(sorted));
        var index = (sorted.Length - 1) * q;
        var below = Math.Floor(index);
        var lo = (int)Math.Clamp(below, 0, sorted.Length - 1);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        var t = index - below;
        double a = sorted[lo], b = sorted[hi];
        var diff = b - a;
        return t >= 0.5 ? b - (diff * (1 - t)) : a + (diff * t);
    }

    /// <summary>The bin of one value: how many edges are less than or equal to it. NaN lands in bin 0: filter
    /// values that are not finite before binning.</summary>
    public int BinOf(double value) => _edgeVectors is { } vectors ? CountAtOrBelow(vectors, value) : BinOf(_edges, value);

    /// <summary>Adds the bin of every value in <paramref name="values"/> to <paramref name="counts"/> (length
    /// <see cref="BinCount"/>); allocates nothing, so a monitor can bin a batch straight into its window.</summary>
    public void Accumulate(ReadOnlySpan<double> values, Span<long> counts)
    {
        if (counts.Length != BinCount) throw new ArgumentException($"counts has {counts.Length} slots; give {BinCount}, one per bin", nameof(counts));
        if (_edgeVectors is { } vectors)
        {
            foreach (var value in values) counts[CountAtOrBelow(vectors, value)]++;
            return;
        }

        ReadOnlySpan<double> edges = _edges;
        foreach (var value in values) counts[BinOf(edges, value)]++;
    }

    // How many edges are <= value: each lane of a compare is all ones (-1 as an integer) where it holds, so subtracting
    // the masks counts them; one horizontal sum at the end. No branch depends on the value.
    private static int CountAtOrBelow(Vector<double>[] edgeVectors, double value)
    {
        var broadcast = new Vector<double>(value);
        var count = Vector<long>.Zero;
        foreach (var edges in edgeVectors) count -= Vector.LessThanOrEqual(edges, broadcast);
        return (int)Vector.Sum(count);
    }

    /// <summary>Counts per bin of <paramref name="values"/>.</summary>
    public long[] Count(ReadOnlySpan<double> values)
    {
        var counts = new long[BinCount];
        Accumulate(values, counts);
        return counts;
    }

    /// <summary>searchsorted(edges, value, side="right") as a binary search: the path for more edges than fit the SIMD compare.</summary>
    internal static int BinOf(ReadOnlySpan<double> edges, double value)
    {
        var lo = 0;
        var length = edges.Length;
        while (length > 0)
        {
            var half = length >> 1;
            // Take the upper half when edges[lo + half] <= value, as arithmetic on the comparison's 0/1 rather than a
            // branch: on random data a branch here mispredicts half the time.
            lo += (length - half) * Unsafe.BitCast<bool, byte>(edges[lo + half] <= value);
            length = half;
        }

        return lo;
    }

    internal static double[] SortedFinite(ReadOnlySpan<double> sample, string name)
    {
        var sorted = sample.ToArray();
        RequireFinite(sorted, name);
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>The sample ascending in a new array one longer, whose last slot holds +infinity.</summary>
    internal static double[] SortedFiniteWithSentinel(ReadOnlySpan<double> sample, string name)
    {
        var sorted = new double[sample.Length + 1];
        sample.CopyTo(sorted);
        var values = sorted.AsSpan(0, sample.Length);
        RequireFinite(values, name);
        BucketSort.Sort(values);
        sorted[^1] = double.PositiveInfinity;
        return sorted;
    }

    internal static void RequireFinite(ReadOnlySpan<double> sample, string name)
    {
        for (var i = 0; i < sample.Length; i++)
        {
            if (!double.IsFinite(sample[i])) throw new ArgumentException($"value {i} of the sample is {sample[i]}; only finite values can be compared", name);
        }
    }
}
