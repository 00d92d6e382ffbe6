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

    /// <summary>The gap <paramref name="x"/> (finite) falls in: how many reference values are below it. Sets
    /// <paramref name="tie"/> when a reference value equals it (ties need the sorted walk).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Gap(double x, out bool tie)
    {
        ref var r = ref MemoryMarshal.GetArrayDataReference(_padded);
        int start = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_firstIndex), Bucket(x, _low, _scale, _lastBucket));
        var broadcast = Vector256.Create(x);
        var below = start + BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref Unsafe.Add(ref r, start)), broadcast).ExtractMostSignificantBits());
        for (var v = 1; v < _vectors; v++)
        {
            below += BitOperations.PopCount(Vector256.LessThan(Vector256.LoadUnsafe(ref Unsafe.Add(ref r, start + (v * Lanes))), broadcast).ExtractMostSignificantBits());
        }

        // The first reference value not below x is equal to it or above it (the padding is +infinity).
        tie = Unsafe.Add(ref r, below) == x;
        return below;
    }

    /// <summary>Where distances in <paramref name="gap"/> are measured from: the reference value below it, or for gap 0
    /// the smallest reference value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double LowerEnd(int gap) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_padded), Math.Max(gap - 1, 0));
}
