using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orchestrator.Core.Drift;

/// <summary>The Wasserstein-1 distance of two ascending samples as the integral of |quantile difference| over [0, 1]
/// (equal to scipy's integral of |CDF difference| over x): which reference value meets which current value over which
/// stretch of [0, 1] depends only on the two sizes, so a plan per pair of sizes is worked out once and each window then
/// costs one pass with no data-dependent step. Agrees with <see cref="WassersteinDistance.ComputeSorted"/> to rounding
/// (about 1e-15 relative); the terms are differences of values, so nothing cancels.</summary>
internal sealed class QuantileCoupling
{
    // Monitors of one shape share one plan; windows that close short (a duration ends first) bring other sizes.
    private static readonly QuantileCoupling?[] Plans = new QuantileCoupling?[64];

    private readonly int[] _referenceIndex;
    private readonly int[] _currentIndex;
    private readonly double[] _weight;

    private QuantileCoupling(int n, int m)
    {
        ReferenceSize = n;
        CurrentSize = m;
        // Stretches end at multiples of 1/n and 1/m: counted in units of 1/lcm(n, m) they are whole numbers.
        long g = Gcd(n, m), unitsA = m / g, unitsB = n / g;
        double total = (double)n * unitsA;
        var referenceIndex = new List<int>(n + m);
        var currentIndex = new List<int>(n + m);
        var weight = new List<double>(n + m);
        int i = 0, j = 0;
        long at = 0;
        while (i < n && j < m)
        {
            long endA = (i + 1) * unitsA, endB = (j + 1) * unitsB, end = Math.Min(endA, endB);
            referenceIndex.Add(i);
            currentIndex.Add(j);
            weight.Add((end - at) / total);
            at = end;
            if (endA == end) i++;
            if (endB == end) j++;
        }

        _referenceIndex = [.. referenceIndex];
        _currentIndex = [.. currentIndex];
        _weight = [.. weight];
    }

    private int ReferenceSize { get; }

    private int CurrentSize { get; }

    /// <summary>The plan for a reference of <paramref name="n"/> values and a current sample of <paramref name="m"/>.</summary>
    public static QuantileCoupling For(int n, int m)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        var slot = (int)((uint)HashCode.Combine(n, m) % (uint)Plans.Length);
        // Plans are immutable and a reference is written atomically: a race only builds one twice.
        if (Plans[slot] is { } plan && plan.ReferenceSize == n && plan.CurrentSize == m) return plan;
        plan = new QuantileCoupling(n, m);
        Plans[slot] = plan;
        return plan;
    }

    /// <summary>Wasserstein-1 between ascending samples of this plan's sizes.</summary>
    public double Distance(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        if (reference.Length != ReferenceSize || current.Length != CurrentSize) throw new ArgumentException($"the plan is for {ReferenceSize} and {CurrentSize} values, not {reference.Length} and {current.Length}");
        ref var a = ref MemoryMarshal.GetReference(reference);
        ref var b = ref MemoryMarshal.GetReference(current);
        ref var ia = ref MemoryMarshal.GetArrayDataReference(_referenceIndex);
        ref var ib = ref MemoryMarshal.GetArrayDataReference(_currentIndex);
        ref var w = ref MemoryMarshal.GetArrayDataReference(_weight);
        var count = _weight.Length;
        // Four sums, so that the additions do not wait on each other.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var k = 0;
        for (; k + 4 <= count; k += 4)
        {
            s0 += Unsafe.Add(ref w, k) * Math.Abs(Unsafe.Add(ref a, Unsafe.Add(ref ia, k)) - Unsafe.Add(ref b, Unsafe.Add(ref ib, k)));
            s1 += Unsafe.Add(ref w, k + 1) * Math.Abs(Unsafe.Add(ref a, Unsafe.Add(ref ia, k + 1)) - Unsafe.Add(ref b, Unsafe.Add(ref ib, k + 1)));
            s2 += Unsafe.Add(ref w, k + 2) * Math.Abs(Unsafe.Add(ref a, Unsafe.Add(ref ia, k + 2)) - Unsafe.Add(ref b, Unsafe.Add(ref ib, k + 2)));
            s3 += Unsafe.Add(ref w, k + 3) * Math.Abs(Unsafe.Add(ref a, Unsafe.Add(ref ia, k + 3)) - Unsafe.Add(ref b, Unsafe.Add(ref ib, k + 3)));
        }

        for (; k < count; k++) s0 += Unsafe.Add(ref w, k) * Math.Abs(Unsafe.Add(ref a, Unsafe.Add(ref ia, k)) - Unsafe.Add(ref b, Unsafe.Add(ref ib, k)));
        return (s0 + s1) + (s2 + s3);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
