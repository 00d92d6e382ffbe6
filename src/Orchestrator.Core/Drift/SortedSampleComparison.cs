using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orchestrator.Core.Drift;

/// <summary>The two-sample Kolmogorov-Smirnov statistic and the Wasserstein-1 distance of two ascending samples in one
/// merged pass: bit for bit what <see cref="KolmogorovSmirnovTest.Statistic"/> and
/// <see cref="WassersteinDistance.ComputeSorted"/> give separately, at the cost of one walk without unpredictable branches.</summary>
internal static class SortedSampleComparison
{
    /// <summary>KS D and Wasserstein-1 between two ascending, non-empty, finite samples, each given with one more slot
    /// after its values that holds +infinity (the sentinel lets the merge read one past the end without a bounds test).</summary>
    public static (double KolmogorovSmirnov, double Wasserstein) Compute(ReadOnlySpan<double> referenceAndSentinel, ReadOnlySpan<double> currentAndSentinel)
    {
        int na = referenceAndSentinel.Length - 1, nb = currentAndSentinel.Length - 1;
        if (na < 1 || nb < 1) throw new ArgumentException("a sample is empty; both statistics need values on both sides");
        if (referenceAndSentinel[na] != double.PositiveInfinity || currentAndSentinel[nb] != double.PositiveInfinity) throw new ArgumentException("each sample needs +infinity in the slot after its values");
        ref var a = ref MemoryMarshal.GetReference(referenceAndSentinel);
        ref var b = ref MemoryMarshal.GetReference(currentAndSentinel);

        // One value per step, the smaller head first. Within a run of equal values only the first step adds to the
        // Wasserstein sum (the others add |.| x 0, which leaves it as it is), and a KS difference counts only once the
        // run is used up on both sides (the next head is larger): exactly the reference functions' steps over distinct
        // values. KS multiplies by the step as scipy's linspace does, Wasserstein divides as its reference does.
        double stepA = 1.0 / na, stepB = 1.0 / nb;
        double sizeA = na, sizeB = nb;
        double maxAbove = 0, maxBelow = 0;
        var total = 0.0;
        var previous = Math.Min(a, b);
        int i = 0, j = 0;
        var x = previous;
        while (i < na && j < nb)
        {
            double headA = Unsafe.Add(ref a, i), headB = Unsafe.Add(ref b, j);
            x = double.MinNative(headA, headB);
            total += Math.Abs((i / sizeA) - (j / sizeB)) * (x - previous);
            previous = x;
            var fromA = Unsafe.BitCast<bool, byte>(headA <= headB);
            i += fromA;
            j += 1 - fromA;
            var diff = (i == na ? 1.0 : i * stepA) - (j == nb ? 1.0 : j * stepB);
            // The difference counts when the next head is above x (the sentinel is above every value).
            double counts = Unsafe.BitCast<bool, byte>(double.MinNative(Unsafe.Add(ref a, i), Unsafe.Add(ref b, j)) > x);
            maxAbove = Math.Max(maxAbove, diff * counts);
            maxBelow = Math.Max(maxBelow, -diff * counts);
        }

        // One side is used up. If the other still holds values equal to the last x, the reference functions take them
        // in the same step: do so (they add nothing to the Wasserstein sum), and count that step's KS difference.
        while (i < na && Unsafe.Add(ref a, i) <= x) i++;
        while (j < nb && Unsafe.Add(ref b, j) <= x) j++;
        var last = (i == na ? 1.0 : i * stepA) - (j == nb ? 1.0 : j * stepB);
        maxAbove = Math.Max(maxAbove, last);
        maxBelow = Math.Max(maxBelow, -last);

        // The Wasserstein integral runs on over the side that is left.
        for (; i < na; i++)
        {
            var next = Unsafe.Add(ref a, i);
            total += Math.Abs((i / sizeA) - (j / sizeB)) * (next - previous);
            previous = next;
        }

        for (; j < nb; j++)
        {
            var next = Unsafe.Add(ref b, j);
            total += Math.Abs((i / sizeA) - (j / sizeB)) * (next - previous);
            previous = next;
        }

        return (Math.Max(Math.Clamp(maxBelow, 0, 1), maxAbove), total);
    }
}
