using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Orchestrator.Core.Drift;

/// <summary>Sorts finite doubles in place by distributing them over equal-width buckets between their minimum and maximum,
/// then one insertion pass: on window samples, whose values spread over their range, each bucket holds about one value and
/// the whole costs a few passes over the data (a fifth of the radix sort's eight). A bucket that fills up (outliers, many
/// ties) is sorted on its own by <see cref="RadixSort"/>, so skewed data stays O(n log n) at worst.</summary>
internal static class BucketSort
{
    // Below this size a comparison sort is as fast and needs no buckets.
    private const int ComparisonSortLimit = 64;
    // A bucket with more values than this is sorted apart rather than by the insertion pass.
    private const int InsertionLimit = 16;

    /// <summary>Sorts <paramref name="values"/> ascending; they must be finite.</summary>
    public static void Sort(Span<double> values)
    {
        var n = values.Length;
        if (n < ComparisonSortLimit)
        {
            values.Sort();
            return;
        }

        var (min, max) = Range(values);
        if (min == max) return;
        var buckets = (int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)n), 1 << 16);
        var scale = buckets / (max - min);
        // A range too wide for a double (or too narrow) gives no usable bucket width.
        if (!double.IsFinite(scale) || !double.IsFinite(max - min))
        {
            RadixSort.Sort(values);
            return;
        }

        var rentedValues = ArrayPool<double>.Shared.Rent(n);
        var rentedBuckets = ArrayPool<int>.Shared.Rent(n + buckets + 1);
        try
        {
            Distribute(values, rentedValues.AsSpan(0, n), rentedBuckets.AsSpan(0, n), rentedBuckets.AsSpan(n, buckets + 1), min, scale);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rentedValues);
            ArrayPool<int>.Shared.Return(rentedBuckets);
        }
    }

    /// <summary>round(y) of a y in [0, 2^31): adding 2^52 leaves the nearest integer in the low mantissa bits, which
    /// costs one addition against the checked conversion's several instructions; like any rounding it does not
    /// decrease as y grows, which is all a bucket needs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int RoundedIndex(double y) => (int)(BitConverter.DoubleToInt64Bits(y + 4503599627370496.0) & 0x7FFF_FFFF);

    // Minimum and maximum four lanes at a time: one chain of scalar min/max would wait on itself at every value.
    private static (double Min, double Max) Range(ReadOnlySpan<double> values)
    {
        var lanes = Vector256<double>.Count;
        ref var v = ref MemoryMarshal.GetReference(values);
        var low = Vector256.Create(double.PositiveInfinity);
        var high = Vector256.Create(double.NegativeInfinity);
        var i = 0;
        for (; i + lanes <= values.Length; i += lanes)
        {
            var chunk = Vector256.LoadUnsafe(ref Unsafe.Add(ref v, i));
            low = Vector256.MinNative(low, chunk);
            high = Vector256.MaxNative(high, chunk);
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (var lane = 0; lane < lanes; lane++)
        {
            min = double.MinNative(min, low[lane]);
            max = double.MaxNative(max, high[lane]);
        }

        for (; i < values.Length; i++)
        {
            min = double.MinNative(min, Unsafe.Add(ref v, i));
            max = double.MaxNative(max, Unsafe.Add(ref v, i));
        }

        return (min, max);
    }

    private static void Distribute(Span<double> values, Span<double> scattered, Span<int> bucketOf, Span<int> starts, double min, double scale)
    {
        var n = values.Length;
        var last = starts.Length - 2;
        starts.Clear();
        ref var v = ref MemoryMarshal.GetReference(values);
        ref var b = ref MemoryMarshal.GetReference(bucketOf);
        ref var s = ref MemoryMarshal.GetReference(starts);
        // (x - min) * scale does not decrease as x grows, so neither does the bucket: buckets are ordered, and only the
        // order within one is left to find. Counts go one slot up so that the prefix sum leaves each bucket's start.
        for (var i = 0; i < n; i++)
        {
            var bucket = Math.Min(RoundedIndex((Unsafe.Add(ref v, i) - min) * scale), last);
            Unsafe.Add(ref b, i) = bucket;
            Unsafe.Add(ref s, bucket + 1)++;
        }

        // The running sum stays in a register: adding to the slot just written would wait on the store every step.
        int largest = 0, sum = 0;
        for (var t = 1; t <= last + 1; t++)
        {
            var count = Unsafe.Add(ref s, t);
            largest = Math.Max(largest, count);
            sum += count;
            Unsafe.Add(ref s, t) = sum;
        }

        ref var d = ref MemoryMarshal.GetReference(scattered);
        if (largest > InsertionLimit)
        {
            // Keep the starts: full buckets are sorted apart once scattered.
            Span<int> cursor = starts.Length <= 4_096 ? stackalloc int[starts.Length] : new int[starts.Length];
            starts.CopyTo(cursor);
            ref var c = ref MemoryMarshal.GetReference(cursor);
            for (var i = 0; i < n; i++) Unsafe.Add(ref d, Unsafe.Add(ref c, Unsafe.Add(ref b, i))++) = Unsafe.Add(ref v, i);
            for (var t = 0; t <= last; t++)
            {
                int from = Unsafe.Add(ref s, t), to = Unsafe.Add(ref s, t + 1);
                if (to - from > InsertionLimit) RadixSort.Sort(scattered[from..to]);
            }
        }
        else
        {
            for (var i = 0; i < n; i++) Unsafe.Add(ref d, Unsafe.Add(ref s, Unsafe.Add(ref b, i))++) = Unsafe.Add(ref v, i);
        }

        // Every value is already in its bucket's stretch, and buckets are in order: an insertion pass only moves values
        // within their own bucket, a step or two each.
        Unsafe.Add(ref v, 0) = Unsafe.Add(ref d, 0);
        for (var i = 1; i < n; i++)
        {
            var x = Unsafe.Add(ref d, i);
            var at = i;
            while (at > 0 && Unsafe.Add(ref v, at - 1) > x)
            {
                Unsafe.Add(ref v, at) = Unsafe.Add(ref v, at - 1);
                at--;
            }

            Unsafe.Add(ref v, at) = x;
        }
    }
}
