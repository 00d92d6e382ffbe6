using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Orchestrator.Core.Drift;

/// <summary>The vector passes over the gaps: 8 at a time (AVX2) and 16 at a time (AVX-512), in 32-bit lanes.</summary>
internal sealed partial class ReferenceGaps
{
    /// <summary>Gaps 1 onwards, eight at a time in 32-bit lanes (AVX2; n m fits in an int): the running count is a prefix
    /// sum across the lanes, the one chain through the loop an add and a broadcast. No call and no branch inside: gaps
    /// where the CDFs cross are marked per block of eight, with their counts before, and collected after the loop.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Next, int Running, long Largest, double LengthTerms) VectorGaps(ref ushort c, ref double r, ref double signs, Scratch scratch, int n, int m, int running, long largest)
    {
        ref var starts = ref MemoryMarshal.GetArrayDataReference(scratch.Starts);
        ref var masks = ref MemoryMarshal.GetArrayDataReference(scratch.Masks);
        var referenceSize = Vector256.Create(n);
        var km = Vector256.Create(1, 2, 3, 4, 5, 6, 7, 8) * m;
        var step = Vector256.Create(Lanes * m);
        var last = Vector256.Create(Lanes - 1);
        var carry = Vector256.Create(running);
        var largestDifference = Vector256<int>.Zero;
        var sum = Vector256<double>.Zero;
        var k0 = 1;
        var block = 0;
        for (; k0 + Lanes <= n; k0 += Lanes, block++)
        {
            var counts = Avx2.ConvertToVector256Int32(Vector128.LoadUnsafe(ref c, (nuint)k0));
            Vector128<ushort>.Zero.StoreUnsafe(ref c, (nuint)k0);
            // Prefix sums within each half, then the low half's total into the high half, then the count before.
            var after = counts + Avx2.ShiftLeftLogical128BitLane(counts, 4);
            after += Avx2.ShiftLeftLogical128BitLane(after, 8);
            after += Avx2.Permute2x128(Avx2.Shuffle(after, 0xFF), after, 0x08);
            after += carry;
            carry = Avx2.PermuteVar8x32(after, last);
            var start = after - counts;
            start.StoreUnsafe(ref starts, (nuint)k0);
            var en = Avx2.MultiplyLow(after, referenceSize);
            var sn = Avx2.MultiplyLow(start, referenceSize);
            var fromEnd = km - en;
            largestDifference = Vector256.Max(largestDifference, Vector256.Max(Vector256.Abs(fromEnd), Vector256.Abs(km - sn)));
            var above = ~Vector256.GreaterThan(en, km);
            var below = ~Vector256.GreaterThan(km, sn);
            var sign = Vector256.ConditionalSelect(above, Vector256<int>.One, below);
            Avx.ConvertToVector256Double(sign.GetLower()).StoreUnsafe(ref signs, (nuint)k0);
            Avx.ConvertToVector256Double(sign.GetUpper()).StoreUnsafe(ref signs, (nuint)(k0 + 4));
            Unsafe.Add(ref masks, block) = (byte)(~(above | below)).ExtractMostSignificantBits();
            var term = Vector256.Abs(fromEnd) & (above | below);
            sum += (Avx.ConvertToVector256Double(term.GetLower()) * (Vector256.LoadUnsafe(ref r, (nuint)k0) - Vector256.LoadUnsafe(ref r, (nuint)(k0 - 1))))
                + (Avx.ConvertToVector256Double(term.GetUpper()) * (Vector256.LoadUnsafe(ref r, (nuint)(k0 + 4)) - Vector256.LoadUnsafe(ref r, (nuint)(k0 + 3))));
            km += step;
        }

        // To scalars before any call: a vector live across a call would be kept in memory, inside the loop too.
        largest = Math.Max(largest, Largest(largestDifference));
        var lengthTerms = Vector256.Sum(sum);
        running = carry.ToScalar();
        CollectCrossings(scratch, block, Lanes);
        return (k0, running, largest, lengthTerms);
    }

    /// <summary>As <see cref="VectorGaps"/>, sixteen gaps at a time (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Next, int Running, long Largest, double LengthTerms) WideVectorGaps(ref ushort c, ref double r, ref double signs, Scratch scratch, int n, int m, int running, long largest)
    {
        ref var starts = ref MemoryMarshal.GetArrayDataReference(scratch.Starts);
        ref var masks = ref Unsafe.As<byte, ushort>(ref MemoryMarshal.GetArrayDataReference(scratch.Masks));
        var referenceSize = Vector512.Create(n);
        var km = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16) * m;
        var step = Vector512.Create(WideLanes * m);
        var last = Vector512.Create(WideLanes - 1);
        var carry = Vector512.Create(running);
        var largestDifference = Vector512<int>.Zero;
        var sum = Vector512<double>.Zero;
        var k0 = 1;
        var block = 0;
        for (; k0 + WideLanes <= n; k0 += WideLanes, block++)
        {
            var counts = Avx512F.ConvertToVector512Int32(Vector256.LoadUnsafe(ref c, (nuint)k0));
            Vector256<ushort>.Zero.StoreUnsafe(ref c, (nuint)k0);
            // Prefix sums across the sixteen lanes (shifts by 1, 2, 4 and 8 lanes), then the count before them.
            var after = counts + Avx512F.AlignRight32(counts, Vector512<int>.Zero, 15);
            after += Avx512F.AlignRight32(after, Vector512<int>.Zero, 14);
            after += Avx512F.AlignRight32(after, Vector512<int>.Zero, 12);
            after += Avx512F.AlignRight32(after, Vector512<int>.Zero, 8);
            after += carry;
            carry = Avx512F.PermuteVar16x32(after, last);
            var start = after - counts;
            start.StoreUnsafe(ref starts, (nuint)k0);
            var en = after * referenceSize;
            var sn = start * referenceSize;
            var fromEnd = km - en;
            largestDifference = Vector512.Max(largestDifference, Vector512.Max(Vector512.Abs(fromEnd), Vector512.Abs(km - sn)));
            var above = ~Vector512.GreaterThan(en, km);
            var below = ~Vector512.GreaterThan(km, sn);
            var sign = Vector512.ConditionalSelect(above, Vector512<int>.One, below);
            Avx512F.ConvertToVector512Double(sign.GetLower()).StoreUnsafe(ref signs, (nuint)k0);
            Avx512F.ConvertToVector512Double(sign.GetUpper()).StoreUnsafe(ref signs, (nuint)(k0 + 8));
            Unsafe.Add(ref masks, block) = (ushort)(~(above | below)).ExtractMostSignificantBits();
            var term = Vector512.Abs(fromEnd) & (above | below);
            sum += (Avx512F.ConvertToVector512Double(term.GetLower()) * (Vector512.LoadUnsafe(ref r, (nuint)k0) - Vector512.LoadUnsafe(ref r, (nuint)(k0 - 1))))
                + (Avx512F.ConvertToVector512Double(term.GetUpper()) * (Vector512.LoadUnsafe(ref r, (nuint)(k0 + 8)) - Vector512.LoadUnsafe(ref r, (nuint)(k0 + 7))));
            km += step;
        }

        // To scalars before any call: a vector live across a call would be kept in memory, inside the loop too.
        largest = Math.Max(largest, Largest(Vector256.Max(largestDifference.GetLower(), largestDifference.GetUpper())));
        var lengthTerms = Vector512.Sum(sum);
        running = carry.ToScalar();
        CollectCrossings(scratch, block, WideLanes);
        return (k0, running, largest, lengthTerms);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Largest(Vector256<int> lanes)
    {
        var half = Vector128.Max(lanes.GetLower(), lanes.GetUpper());
        return Math.Max(Math.Max(half.GetElement(0), half.GetElement(1)), Math.Max(half.GetElement(2), half.GetElement(3)));
    }

    /// <summary>The gaps a vector pass marked as crossed, in order, with their counts before (and the marks cleared):
    /// a byte of marks per block of 8 gaps from gap 1, or two bytes per block of 16.</summary>
    private static void CollectCrossings(Scratch scratch, int blocks, int lanes)
    {
        ref var starts = ref MemoryMarshal.GetArrayDataReference(scratch.Starts);
        var marks = scratch.Masks.AsSpan(0, blocks * lanes / 8);
        for (var b = 0; b < blocks; b++)
        {
            var bits = lanes == WideLanes ? marks[2 * b] | (marks[(2 * b) + 1] << 8) : marks[b];
            for (var lane = 0; bits != 0; lane++, bits >>= 1)
            {
                var gap = 1 + (b * lanes) + lane;
                if ((bits & 1) != 0) scratch.Crossings.Add(new Crossing(gap, Unsafe.Add(ref starts, gap)));
            }
        }

        marks.Clear();
    }
}
