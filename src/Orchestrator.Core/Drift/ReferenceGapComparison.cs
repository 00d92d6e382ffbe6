using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Orchestrator.Core.Drift;

/// <summary>The KS statistic and the Wasserstein-1 distance between a reference sample and an unsorted window, without
/// sorting the window. Each window value goes into its gap between consecutive reference values (the rank table finds it
/// in O(1)); both CDFs are then known gap by gap: the reference's is flat inside a gap, the window's rises from the
/// count of values before the gap to the count after it.
/// <list type="bullet">
/// <item>KS: inside one gap |F_ref - F_win| is largest at the gap's first or last window value, so one pass over the gaps
/// gives the statistic, with the same floating-point expressions as <see cref="ReferenceRankTable.KolmogorovSmirnov"/>
/// (bit for bit <see cref="KolmogorovSmirnovTest.Statistic"/>).</item>
/// <item>Wasserstein: where the window's CDF stays on one side of the reference's over a whole gap, the integral of their
/// difference over the gap needs only the count of window values in it and the sum of their distances from the gap's
/// start. Only the few gaps where the CDFs cross need their values in order: those are sorted apart. Agrees with
/// <see cref="WassersteinDistance.ComputeSorted"/> to rounding.</item>
/// </list>
/// The pass over the gaps does four at a time with no branch but the rare crossing. A window value equal to a reference
/// value (discrete data) makes the comparison give up: the caller sorts and walks instead.</summary>
internal static class ReferenceGapComparison
{
    // Per thread: a monitor scores its features one after another inside one grain turn, with no await between.
    [ThreadStatic] private static Scratch? t_scratch;

    /// <summary>KS D and Wasserstein-1 between <paramref name="table"/>'s reference and <paramref name="window"/> (finite,
    /// any order), or false when a window value equals a reference value.</summary>
    public static bool TryCompute(ReferenceRankTable table, ReadOnlySpan<double> window, out double kolmogorovSmirnov, out double wasserstein)
    {
        int n = table.Count, m = window.Length;
        if (m < 1) throw new ArgumentException("the window is empty", nameof(window));
        var scratch = t_scratch ??= new Scratch();
        scratch.Ensure(n + 1, m);
        var counts = scratch.Counts.AsSpan(0, n + 1);
        var offsets = scratch.Offsets.AsSpan(0, n + 1);
        try
        {
            if (!table.TryAccumulateGaps(window, scratch.GapOf, counts, offsets))
            {
                kolmogorovSmirnov = wasserstein = 0;
                return false;
            }

            (kolmogorovSmirnov, wasserstein) = Scan(table, window, scratch, n, m);
            return true;
        }
        finally
        {
            counts.Clear();
            offsets.Clear();
        }
    }

    private static (double KolmogorovSmirnov, double Wasserstein) Scan(ReferenceRankTable table, ReadOnlySpan<double> window, Scratch scratch, int n, int m)
    {
        ref var c = ref MemoryMarshal.GetArrayDataReference(scratch.Counts);
        ref var o = ref MemoryMarshal.GetArrayDataReference(scratch.Offsets);
        ref var p = ref MemoryMarshal.GetArrayDataReference(scratch.Before);
        ref var r = ref MemoryMarshal.GetReference(table.Values);
        // Window values before each gap: the one running sum, apart, so that the pass over the gaps has no chain in it.
        var running = 0.0;
        for (var k = 0; k <= n; k++)
        {
            Unsafe.Add(ref p, k) = running;
            running += Unsafe.Add(ref c, k);
        }

        var crossings = scratch.Crossings;
        crossings.Clear();
        var pass = new GapPass(n, m);
        // Integrals are summed in units of 1/m (counts rather than CDFs) and divided once at the end.
        // Gap 0, below the whole reference: F_ref is 0 and F_win rises to c0/m; the integral of m F_win there is the sum
        // of (smallest reference value - x) over its values.
        double largestAt = c > 0 ? Math.Abs(0 - pass.Current(c)) : 0, largestBefore = 0;
        var total = -o;

        var k0 = 1;
        var lanes = Vector256<double>.Count;
        if (Vector256.IsHardwareAccelerated && n - 1 >= lanes)
        {
            var at = Vector256<double>.Zero;
            var before = Vector256<double>.Zero;
            var sum = Vector256<double>.Zero;
            var index = Vector256.Create(1.0, 2.0, 3.0, 4.0);
            var step = Vector256.Create((double)lanes);
            for (; k0 + lanes <= n; k0 += lanes)
            {
                var count = Vector256.LoadUnsafe(ref c, (nuint)k0);
                var start = Vector256.LoadUnsafe(ref p, (nuint)k0);
                var end = start + count;
                var length = Vector256.LoadUnsafe(ref r, (nuint)k0) - Vector256.LoadUnsafe(ref r, (nuint)(k0 - 1));
                var has = ~Vector256.Equals(count, Vector256<double>.Zero);
                var reference = index * pass.StepA;
                before = Vector256.MaxNative(before, Vector256.Abs(reference - (start * pass.StepB)) & has);
                var current = Vector256.ConditionalSelect(Vector256.Equals(end, pass.Size), Vector256<double>.One, end * pass.StepB);
                at = Vector256.MaxNative(at, Vector256.Abs(reference - current) & has);
                var scaled = index * pass.Size;
                var crossing = Vector256.GreaterThan(scaled, start * pass.ReferenceSize) & Vector256.LessThan(scaled, end * pass.ReferenceSize);
                sum += Vector256.AndNot(Vector256.Abs((((index * pass.PerReference) - end) * length) + Vector256.LoadUnsafe(ref o, (nuint)k0)), crossing);
                if (crossing != Vector256<double>.Zero)
                {
                    for (var lane = 0; lane < lanes; lane++)
                    {
                        if (crossing[lane] != 0) crossings.Add(new Crossing(k0 + lane, (int)start[lane]));
                    }
                }

                index += step;
            }

            for (var lane = 0; lane < lanes; lane++)
            {
                largestAt = double.MaxNative(largestAt, at[lane]);
                largestBefore = double.MaxNative(largestBefore, before[lane]);
                total += sum[lane];
            }
        }

        for (var k = k0; k < n; k++)
        {
            var count = Unsafe.Add(ref c, k);
            var start = Unsafe.Add(ref p, k);
            var end = start + count;
            var length = Unsafe.Add(ref r, k) - Unsafe.Add(ref r, k - 1);
            var reference = k * pass.StepA[0];
            // The same expressions as the rank table's walk at the gap's first and last window value.
            double has = Unsafe.BitCast<bool, byte>(count != 0);
            largestBefore = double.MaxNative(largestBefore, Math.Abs(reference - (start * pass.StepB[0])) * has);
            largestAt = double.MaxNative(largestAt, Math.Abs(reference - pass.Current(end)) * has);
            // m F_ref = k m/n against m F_win rising from start to end: a crossing inside the gap needs the values' order.
            double scaled = (double)k * m;
            if (scaled > start * n && scaled < end * n)
            {
                crossings.Add(new Crossing(k, (int)start));
            }
            else
            {
                // One side throughout, so |integral of m (F_ref - F_win)|: m F_ref L - (end L - offsets), where end L -
                // offsets is the integral of m F_win (start over the whole gap, plus each value's distance to its end).
                total += Math.Abs((((k * pass.PerReference[0]) - end) * length) + Unsafe.Add(ref o, k));
            }
        }

        // Gap n, above the whole reference: F_ref is 1, and the integral of m (1 - F_win) is the sum of (x - largest).
        if (Unsafe.Add(ref c, n) > 0)
        {
            largestBefore = double.MaxNative(largestBefore, Math.Abs(1.0 - (Unsafe.Add(ref p, n) * pass.StepB[0])));
            total += Unsafe.Add(ref o, n);
        }

        if (crossings.Count > 0) total += CrossingGaps(table, window, scratch, n, m);
        return (double.MaxNative(largestAt, largestBefore), total / m);
    }

    /// <summary>The exact integral (in units of 1/m) over the gaps where the CDFs cross: their values, sorted, split each
    /// gap into stretches where F_win is constant.</summary>
    private static double CrossingGaps(ReferenceRankTable table, ReadOnlySpan<double> window, Scratch scratch, int n, int m)
    {
        var flags = scratch.Flags.AsSpan(0, n + 1);
        foreach (var crossing in scratch.Crossings) flags[crossing.Gap] = true;
        var values = scratch.CrossingValues;
        values.Clear();
        var gapOf = scratch.GapOf;
        for (var i = 0; i < window.Length; i++)
        {
            if (flags[gapOf[i]]) values.Add(window[i]);
        }

        flags.Clear();
        // Sorted, the values come gap by gap in the order of the crossings (gaps are ordered by value).
        var sorted = CollectionsMarshal.AsSpan(values);
        sorted.Sort();
        var reference = table.Values;
        double total = 0, perReference = (double)m / n;
        var at = 0;
        foreach (var (gap, before) in scratch.Crossings)
        {
            var level = gap * perReference;
            var start = reference[gap - 1];
            var end = reference[gap];
            var count = before;
            while (at < sorted.Length && sorted[at] < end)
            {
                total += Math.Abs(level - count) * (sorted[at] - start);
                start = sorted[at];
                count++;
                at++;
            }

            total += Math.Abs(level - count) * (end - start);
        }

        return total;
    }

    /// <summary>The constants of one pass, broadcast.</summary>
    private readonly struct GapPass(int n, int m)
    {
        public Vector256<double> StepA { get; } = Vector256.Create(1.0 / n);

        public Vector256<double> StepB { get; } = Vector256.Create(1.0 / m);

        public Vector256<double> Size { get; } = Vector256.Create((double)m);

        public Vector256<double> ReferenceSize { get; } = Vector256.Create((double)n);

        public Vector256<double> PerReference { get; } = Vector256.Create((double)m / n);

        /// <summary>F_win after <paramref name="count"/> values, as the rank table's walk computes it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Current(double count) => count == m ? 1.0 : count * (1.0 / m);
    }

    private readonly record struct Crossing(int Gap, int Before);

    private sealed class Scratch
    {
        public double[] Counts { get; private set; } = [];

        public double[] Offsets { get; private set; } = [];

        public double[] Before { get; private set; } = [];

        public bool[] Flags { get; private set; } = [];

        public int[] GapOf { get; private set; } = [];

        public List<Crossing> Crossings { get; } = [];

        public List<double> CrossingValues { get; } = [];

        public void Ensure(int gaps, int values)
        {
            if (Counts.Length < gaps)
            {
                Counts = new double[gaps];
                Offsets = new double[gaps];
                Before = new double[gaps];
                Flags = new bool[gaps];
            }

            if (GapOf.Length < values) GapOf = new int[values];
        }
    }
}
