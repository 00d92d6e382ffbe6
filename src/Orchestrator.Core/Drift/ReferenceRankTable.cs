using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Orchestrator.Core.Drift;

/// <summary>A reference sample's ranks in O(1): equal-width buckets over its range, each holding the index of the first
/// value in it, so that how many reference values lie below (or at) any x is that index plus a count over one short
/// stretch, done with one or two vector compares. Built once per baseline; it lets the KS statistic walk only the
/// window's values instead of merging both samples, and a monitor place each value in its gap as it arrives. Indexes are
/// kept in 16 bits (8 KB of bucket starts for a 2,000-value sample): a sample of more than 65,535 values gets no table.</summary>
internal sealed partial class ReferenceRankTable
{
    // Buckets whose fullest holds more values than this many vectors' worth make the table not worth it (heavy ties,
    // outliers stretching the range); the caller then merges the samples instead.
    private const int MaxVectors = 4;
    private const int Lanes = 4;

    // The sample ascending, then +infinity padding: a count reads whole vectors past a bucket's end.
    private readonly double[] _padded;
    private readonly ushort[] _firstIndex;
    private readonly double _low;
    private readonly double _scale;
    private readonly int _lastBucket;
    private readonly int _vectors;
    private readonly int _count;

    private ReferenceRankTable(double[] padded, ushort[] firstIndex, double low, double scale, int vectors, int count)
    {
        _padded = padded;
        _firstIndex = firstIndex;
        _low = low;
        _scale = scale;
        _lastBucket = firstIndex.Length - 2;
        _vectors = vectors;
        _count = count;
    }

    /// <summary>The largest sample a table is built for: its indexes take 16 bits.</summary>
    public const int MaxCount = ushort.MaxValue;

    /// <summary>How many +infinity slots a sample needs after its values for a table to read whole vectors past a bucket.</summary>
    public const int Padding = 4 * 4;

    /// <summary>The table of the first <paramref name="count"/> values of <paramref name="padded"/> (ascending, finite,
    /// then at least <see cref="Padding"/> slots of +infinity, which the table keeps and reads without copying), or
    /// null when its values bunch up so much that a bucket would need more than a few vector compares, or when there
    /// are more than <see cref="MaxCount"/> of them.</summary>
    public static ReferenceRankTable? TryBuild(double[] padded, int count)
    {
        ArgumentNullException.ThrowIfNull(padded);
        if (padded.Length < count + Padding || padded[count] != double.PositiveInfinity || padded[^1] != double.PositiveInfinity) throw new ArgumentException($"give the values followed by {Padding} slots of +infinity", nameof(padded));
        var n = count;
        var sorted = padded.AsSpan(0, n);
        if (n < 2 || n > MaxCount) return null;
        double low = sorted[0], range = sorted[^1] - sorted[0];
        // About two buckets a value: the fullest of them then holds four or so (one vector) on spread data.
        var buckets = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)n * 2), 1 << 20);
        var scale = buckets / range;
        if (!(range > 0) || !double.IsFinite(range) || !double.IsFinite(scale)) return null;
        var firstIndex = new ushort[buckets + 1];
        var k = 0;
        var largest = 0;
        for (var t = 0; t <= buckets; t++)
        {
            var start = k;
            // The same bucket function as a lookup: a value goes below bucket t's start exactly when its bucket is < t.
            while (k < n && Bucket(sorted[k], low, scale, buckets - 1) < t) k++;
            firstIndex[t] = (ushort)k;
            if (t > 0) largest = Math.Max(largest, k - start);
        }

        var vectors = Math.Max(1, (largest + Lanes - 1) / Lanes);
        return vectors > MaxVectors ? null : new ReferenceRankTable(padded, firstIndex, low, scale, vectors, n);
    }

    // Does not decrease as x grows (a subtraction and a multiplication by a positive constant round monotonically),
    // which is all that makes the table exact.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(double x, double low, double scale, int lastBucket) =>
        BucketSort.RoundedIndex(double.MinNative(double.MaxNative((x - low) * scale, 0), lastBucket));

    /// <summary>The two-sample KS statistic between the reference and an ascending, finite, non-empty sample followed by
    /// one +infinity: bit for bit <see cref="KolmogorovSmirnovTest.Statistic"/>.</summary>
    public double KolmogorovSmirnov(ReadOnlySpan<double> currentAndSentinel)
    {
        var m = currentAndSentinel.Length - 1;
        if (m < 1) throw new ArgumentException("the current sample is empty", nameof(currentAndSentinel));
        var n = _count;
        double stepA = 1.0 / n, stepB = 1.0 / m;
        ref var w = ref MemoryMarshal.GetReference(currentAndSentinel);
        ref var r = ref MemoryMarshal.GetArrayDataReference(_padded);
        ref var first = ref MemoryMarshal.GetArrayDataReference(_firstIndex);
        // The reference function's max(above, clamp(below)) is the largest |difference|: the differences lie in [-1, 1].
        // Two maxima, so that neither waits on the other.
        double largestAt = 0, largestBefore = 0;
        var previous = double.NegativeInfinity;
        var vectors = _vectors;
        for (var j = 0; j < m; j++)
        {
            var x = Unsafe.Add(ref w, j);
            int start = Unsafe.Add(ref first, Bucket(x, _low, _scale, _lastBucket));
            // Reference values before the bucket are below x and those after it above x: count within it.
            var broadcast = Vector256.Create(x);
            var values = Vector256.LoadUnsafe(ref Unsafe.Add(ref r, start));
            var atOrBelow = start + BitOperations.PopCount(Vector256.LessThanOrEqual(values, broadcast).ExtractMostSignificantBits());
            var below = start + BitOperations.PopCount(Vector256.LessThan(values, broadcast).ExtractMostSignificantBits());
            for (var v = 1; v < vectors; v++)
            {
                values = Vector256.LoadUnsafe(ref Unsafe.Add(ref r, start + (v * Lanes)));
                atOrBelow += BitOperations.PopCount(Vector256.LessThanOrEqual(values, broadcast).ExtractMostSignificantBits());
                below += BitOperations.PopCount(Vector256.LessThan(values, broadcast).ExtractMostSignificantBits());
            }

            // Both CDFs are steps: between two distinct window values the window's is flat and the reference's rises,
            // so the extremes over the pooled values are at x itself (after its last copy) and just before x (the last
            // pooled value below it, before x's first copy). The same expressions as the reference function, so the
            // same bits.
            double isLast = Unsafe.BitCast<bool, byte>(Unsafe.Add(ref w, j + 1) > x);
            double isFirst = Unsafe.BitCast<bool, byte>(previous < x);
            var referenceAt = atOrBelow * stepA;
            if (atOrBelow == n) referenceAt = 1.0;
            var referenceBefore = below * stepA;
            if (below == n) referenceBefore = 1.0;
            var currentAt = (j + 1) * stepB;
            if (j + 1 == m) currentAt = 1.0;
            largestAt = double.MaxNative(largestAt, Math.Abs(referenceAt - currentAt) * isLast);
            largestBefore = double.MaxNative(largestBefore, Math.Abs(referenceBefore - (j * stepB)) * isFirst);
            previous = x;
        }

        return double.MaxNative(largestAt, largestBefore);
    }
}
