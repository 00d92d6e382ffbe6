using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Orchestrator.Core.Drift;

internal sealed partial class ReferenceRankTable
{
    /// <summary>The reference sample's size.</summary>
    public int Count => _count;

    /// <summary>The reference sample, ascending.</summary>
    public ReadOnlySpan<double> Values => _padded.AsSpan(0, _count);

    /// <summary>Puts each value of an unsorted window into its reference gap: gap k holds the values with exactly k reference
    /// values below them. Per gap it adds the count to <paramref name="counts"/> (Count + 1 entries) and the values'
    /// distances from the gap's lower end to <paramref name="offsets"/> (for gap 0, from the smallest reference value,
    /// so negative), and records each value's gap in <paramref name="gapOf"/>. Returns false, leaving the spans partly
    /// written, as soon as a value equals a reference value: ties need the sorted walk.</summary>
    public bool TryAccumulateGaps(ReadOnlySpan<double> window, Span<int> gapOf, Span<double> counts, Span<double> offsets)
    {
        if (gapOf.Length < window.Length || counts.Length <= _count || offsets.Length <= _count) throw new ArgumentException("the spans are too short for this window and reference");
        ref var w = ref MemoryMarshal.GetReference(window);
        ref var g = ref MemoryMarshal.GetReference(gapOf);
        ref var c = ref MemoryMarshal.GetReference(counts);
        ref var o = ref MemoryMarshal.GetReference(offsets);
        ref var r = ref MemoryMarshal.GetArrayDataReference(_padded);
        ref var first = ref MemoryMarshal.GetArrayDataReference(_firstIndex);
        var vectors = _vectors;
        // Ties are rare on continuous data: one flag for the whole pass keeps the loop free of early exits.
        var tie = false;
        for (var i = 0; i < window.Length; i++)
        {
            var x = Unsafe.Add(ref w, i);
            var start = Unsafe.Add(ref first, Bucket(x, _low, _scale, _lastBucket));
            var broadcast = Vector256.Create(x);
            var below = start + BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref Unsafe.Add(ref r, start)), broadcast).ExtractMostSignificantBits());
            for (var v = 1; v < vectors; v++)
            {
                below += BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref Unsafe.Add(ref r, start + (v * Lanes))), broadcast).ExtractMostSignificantBits());
            }

            // The first reference value not below x is equal to it or above it (the padding is +infinity).
            tie |= Unsafe.Add(ref r, below) == x;
            Unsafe.Add(ref g, i) = below;
            Unsafe.Add(ref c, below) += 1;
            Unsafe.Add(ref o, below) += x - Unsafe.Add(ref r, Math.Max(below - 1, 0));
        }

        return !tie;
    }
}
