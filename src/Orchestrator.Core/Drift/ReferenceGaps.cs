using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Orchestrator.Core.Drift;

/// <summary>A window's values placed in the gaps between consecutive values of a reference sample, from which the KS
/// statistic and the Wasserstein-1 distance follow without sorting the window. Gap k holds the values with exactly k
/// reference values below them. A monitor keeps one per numeric feature and places each value as its reservoir takes it
/// (<see cref="Add"/>, <see cref="Replace"/>): per slot its gap and its distance from the gap's lower end, per gap a count
/// (14 KB at a 1,000-value sample and a 2,000-value reference). Closing the window is then two passes, one over the gaps
/// and one over the slots, with no sort and no search.
/// <list type="bullet">
/// <item>Everything is in units of 1/(n m), where the CDFs are whole numbers: in gap k the reference's is k m, flat,
/// and the window's rises from S n to E n (S values before the gap, E after it).</item>
/// <item>KS: |F_ref - F_win| is largest at a gap's lower end or after its last value, so the statistic is the largest
/// |k m - S n| or |k m - E n| over the gaps (empty ones included: there it is a value the difference takes at the gap's
/// lower end), divided once by n m: the correctly rounded value of the exact ratio. The reference functions compute it
/// through floating-point CDFs and can differ from it in the last bit.</item>
/// <item>Wasserstein: where the window's CDF stays on one side of the reference's over a whole gap (the counts alone tell
/// which), the integral of |F_ref - F_win| over the gap is |k m - E n| times the gap's length (over n m), plus that
/// side's sign times the sum of the values' distances from the gap's lower end (over m). The pass over the gaps adds the
/// first part and notes each gap's sign; the pass over the slots adds the second. Only the few gaps where the CDFs cross
/// need their values in order: those are sorted apart. Agrees with <see cref="WassersteinDistance.ComputeSorted"/> to
/// rounding.</item>
/// </list>
/// The pass over the gaps does 16 (AVX-512) or 8 (AVX2) gaps at a time in 32-bit lanes while n m fits in them, the running
/// count a prefix sum across the lanes, with no call or branch inside; elsewhere one at a time in 64-bit integers. A window
/// value equal to a reference value (discrete data) makes the comparison give up: the caller sorts and walks instead.</summary>
internal sealed partial class ReferenceGaps
{
    // Per thread: a monitor scores its features one after another inside one grain turn, with no await between.
    [ThreadStatic] private static Scratch? t_scratch;

    private readonly ReferenceRankTable _table;
    // Per slot of the window: the gap its value is in.
    private readonly ushort[] _gapOf;
    // Per slot: its value's distance from its gap's lower end (read where the placement had the reference at hand).
    private readonly double[] _distances;
    // Per gap (reference size + 1, then a vector's worth of padding): the values in it. The pass reads them and leaves 0.
    private readonly ushort[] _counts;
    private int _values;
    private bool _tied;

    /// <summary>Gaps of <paramref name="table"/>'s reference for a window of up to <paramref name="capacity"/> values.</summary>
    public ReferenceGaps(ReferenceRankTable table, int capacity)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _table = table;
        if (table.Count > MaxSize || capacity > MaxSize) throw new ArgumentException($"{table.Count} reference values and {capacity} slots; gaps are kept for at most {MaxSize} of each");
        _gapOf = new ushort[capacity];
        _distances = new double[capacity];
        _counts = new ushort[table.Count + 1 + Lanes];
    }

    /// <summary>The largest reference, and the most slots, gaps are kept for: gap numbers and counts take 16 bits.</summary>
    public const int MaxSize = ushort.MaxValue;

    /// <summary>Whether a value equal to a reference value came in since the last clear: values are then no longer
    /// placed, and the window has to be sorted.</summary>
    public bool Tied => _tied;

    /// <summary>KS D and Wasserstein-1 between <paramref name="table"/>'s reference and <paramref name="window"/> (finite,
    /// any order), or false when a window value equals a reference value: the comparison of two whole samples.</summary>
    public static bool TryCompute(ReferenceRankTable table, ReadOnlySpan<double> window, out double kolmogorovSmirnov, out double wasserstein)
    {
        if (window.IsEmpty) throw new ArgumentException("the window is empty", nameof(window));
        if (table.Count > MaxSize || window.Length > MaxSize)
        {
            kolmogorovSmirnov = wasserstein = 0;
            return false;
        }

        var gaps = new ReferenceGaps(table, window.Length);
        for (var i = 0; i < window.Length && !gaps._tied; i++) gaps.Add(window[i]);
        return gaps.TryCompareAndClear(window, out kolmogorovSmirnov, out wasserstein);
    }

    /// <summary>Places <paramref name="value"/> (finite) as the value of the next slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double value)
    {
        if (_tied) return;
        var gap = _table.Gap(value, out var tie);
        _tied = tie;
        _counts[gap]++;
        _distances[_values] = value - _table.LowerEnd(gap);
        _gapOf[_values++] = (ushort)gap;
    }

    /// <summary>Places <paramref name="value"/> as the value of <paramref name="slot"/>, which held another.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Replace(int slot, double value)
    {
        if (_tied) return;
        if ((uint)slot >= (uint)_values) throw new ArgumentOutOfRangeException(nameof(slot), slot, $"slot {slot} holds no value; {_values} slots are filled");
        _counts[_gapOf[slot]]--;
        var g = _table.Gap(value, out _tied);
        _gapOf[slot] = (ushort)g;
        _distances[slot] = value - _table.LowerEnd(g);
        _counts[g]++;
    }

    /// <summary>The most gaps the pass takes at a time on this machine: 16, 8, or 1.</summary>
    public static int WidestPass { get; } = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? WideLanes : Avx2.IsSupported ? Lanes : 1;

    /// <summary>KS D and Wasserstein-1 between the reference and the window whose values are <paramref name="values"/>
    /// (slot i's value at index i, every slot), then empty for the next window; false, also emptied, when a value equal
    /// to a reference value came in.</summary>
    public bool TryCompareAndClear(ReadOnlySpan<double> values, out double kolmogorovSmirnov, out double wasserstein) =>
        TryCompareAndClear(values, WidestPass, out kolmogorovSmirnov, out wasserstein);

    /// <summary>As <see cref="TryCompareAndClear(ReadOnlySpan{double}, out double, out double)"/>, taking at most
    /// <paramref name="gapsAtATime"/> gaps at a time (16, 8 or 1, no more than <see cref="WidestPass"/>): every width gives
    /// the same statistics, which tests check.</summary>
    internal bool TryCompareAndClear(ReadOnlySpan<double> values, int gapsAtATime, out double kolmogorovSmirnov, out double wasserstein)
    {
        if (gapsAtATime is not (1 or Lanes or WideLanes) || gapsAtATime > WidestPass) throw new ArgumentOutOfRangeException(nameof(gapsAtATime), gapsAtATime, $"give 1, {Lanes} or {WideLanes}, at most {WidestPass} on this machine");
        if (_tied)
        {
            Clear();
            kolmogorovSmirnov = wasserstein = 0;
            return false;
        }

        if (values.Length != _values || _values < 1) throw new ArgumentException($"{values.Length} values given for gaps holding {_values}; give the window's values, one per slot", nameof(values));
        (kolmogorovSmirnov, wasserstein) = Pass(values, gapsAtATime);
        _values = 0;
        return true;
    }

    /// <summary>Empties the gaps (a window that closed without being compared, or that tied).</summary>
    public void Clear()
    {
        if (_values > 0 || _tied) Array.Clear(_counts);
        _values = 0;
        _tied = false;
    }

    private (double KolmogorovSmirnov, double Wasserstein) Pass(ReadOnlySpan<double> values, int gapsAtATime)
    {
        int n = _table.Count, m = _values;
        var scratch = t_scratch ??= new Scratch();
        scratch.Ensure(n + 1);
        ref var c = ref MemoryMarshal.GetArrayDataReference(_counts);
        ref var r = ref MemoryMarshal.GetReference(_table.Values);

        ref var signs = ref MemoryMarshal.GetArrayDataReference(scratch.Signs);
        var crossings = scratch.Crossings;
        crossings.Clear();
        // KS over empty gaps too: there F_win is flat and |F_ref - F_win| at the gap's lower end is a value it takes.
        // Gap 0, below the whole reference: F_ref is 0, F_win rises to c0 n; the integral is the sum of the values'
        // distances below the smallest reference value (sign -1, length 0).
        int running = c;
        long largest = (long)running * n;
        signs = -1;
        c = 0;
        // The integral over gaps where the CDFs do not cross, of |k m - E n| times the gap's length (units of n).
        var lengthTerms = 0.0;

        var k0 = 1;
        if ((long)n * m <= int.MaxValue)
        {
            if (gapsAtATime == WideLanes && n - 1 >= WideLanes) (k0, running, largest, lengthTerms) = WideVectorGaps(ref c, ref r, ref signs, scratch, n, m, running, largest);
            else if (gapsAtATime >= Lanes && n - 1 >= Lanes) (k0, running, largest, lengthTerms) = VectorGaps(ref c, ref r, ref signs, scratch, n, m, running, largest);
        }

        for (var k = k0; k < n; k++)
        {
            var count = Unsafe.Add(ref c, k);
            Unsafe.Add(ref c, k) = 0;
            var start = running;
            running += count;
            long km = (long)k * m, sn = (long)start * n, en = (long)running * n;
            largest = Math.Max(largest, Math.Max(Math.Abs(km - sn), Math.Abs(km - en)));
            // m F_ref against m F_win rising over the gap: above it throughout (+1), below it throughout (-1), or
            // crossing inside the gap (0: the values' order is needed).
            double sign = km >= en ? 1 : km <= sn ? -1 : 0;
            Unsafe.Add(ref signs, k) = sign;
            if (sign == 0) crossings.Add(new Crossing(k, start));
            else lengthTerms += Math.Abs(km - en) * (Unsafe.Add(ref r, k) - Unsafe.Add(ref r, k - 1));
        }

        // Gap n, above the whole reference: F_ref is 1 (n m), F_win rises from S n to m n; the integral is the sum of the
        // values' distances above the largest reference value (sign +1, length 0).
        largest = Math.Max(largest, ((long)n * m) - ((long)running * n));
        Unsafe.Add(ref c, n) = 0;
        Unsafe.Add(ref signs, n) = 1;
        var total = (lengthTerms / n) + SignedDistances(ref signs);
        if (crossings.Count > 0) total += CrossingGaps(values, scratch, n, m);
        // One division each: KS is the correctly rounded ratio of whole numbers.
        return (largest / ((double)n * m), total / m);
    }

    /// <summary>The sum over the window's values of their gap's sign times their distance from the gap's lower end (0 in
    /// gaps where the CDFs cross): four sums, so that the adds do not wait on one another.</summary>
    private double SignedDistances(ref double signs)
    {
        ref var distance = ref MemoryMarshal.GetArrayDataReference(_distances);
        ref var gapOf = ref MemoryMarshal.GetArrayDataReference(_gapOf);
        double a = 0, b = 0, c = 0, d = 0;
        int i = 0, m = _values;
        for (; i + 4 <= m; i += 4)
        {
            a += Unsafe.Add(ref signs, Unsafe.Add(ref gapOf, i)) * Unsafe.Add(ref distance, i);
            b += Unsafe.Add(ref signs, Unsafe.Add(ref gapOf, i + 1)) * Unsafe.Add(ref distance, i + 1);
            c += Unsafe.Add(ref signs, Unsafe.Add(ref gapOf, i + 2)) * Unsafe.Add(ref distance, i + 2);
            d += Unsafe.Add(ref signs, Unsafe.Add(ref gapOf, i + 3)) * Unsafe.Add(ref distance, i + 3);
        }

        for (; i < m; i++) a += Unsafe.Add(ref signs, Unsafe.Add(ref gapOf, i)) * Unsafe.Add(ref distance, i);
        return (a + b) + (c + d);
    }

    private const int Lanes = 8;
    private const int WideLanes = 16;

    /// <summary>The exact integral (in units of 1/m) over the gaps where the CDFs cross: their values, sorted, split each
    /// gap into stretches where F_win is constant.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private double CrossingGaps(ReadOnlySpan<double> window, Scratch scratch, int n, int m)
    {
        var flags = scratch.Flags.AsSpan(0, n + 1);
        foreach (var crossing in scratch.Crossings) flags[crossing.Gap] = true;
        var values = scratch.CrossingValues;
        values.Clear();
        for (var i = 0; i < window.Length; i++)
        {
            if (flags[_gapOf[i]]) values.Add(window[i]);
        }

        flags.Clear();
        // Sorted, the values come gap by gap in the order of the crossings (gaps are ordered by value).
        var sorted = CollectionsMarshal.AsSpan(values);
        sorted.Sort();
        var reference = _table.Values;
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

    private readonly record struct Crossing(int Gap, int Before);

    private sealed class Scratch
    {
        public bool[] Flags { get; private set; } = [];

        /// <summary>Per gap, the sign of F_ref - F_win over it, or 0 where they cross.</summary>
        public double[] Signs { get; private set; } = [];

        /// <summary>Per gap, the window values before it (written by the vector pass, read at crossings only).</summary>
        public int[] Starts { get; private set; } = [];

        /// <summary>Per block of 8 gaps (a byte) or 16 (two), which of them the CDFs cross in (left at 0 after use).</summary>
        public byte[] Masks { get; private set; } = [];

        public List<Crossing> Crossings { get; } = [];

        public List<double> CrossingValues { get; } = [];

        public void Ensure(int gaps)
        {
            if (Flags.Length >= gaps) return;
            Flags = new bool[gaps];
            Signs = new double[gaps + Lanes];
            Starts = new int[gaps + Lanes];
            Masks = new byte[(gaps / Lanes) + WideLanes];
        }
    }
}
