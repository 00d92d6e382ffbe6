namespace Orchestrator.Core.Drift;

/// <summary>Remembers recent KS p-values by their exact inputs (statistic, both sizes, method). The p-value is a pure
/// function of them, so a hit returns the same bits a fresh computation would; and it pays: monitors of one shape (the
/// same reference and window sample sizes) meet statistics from one lattice of |i/n - j/m| values, while one p-value in
/// the drifted range costs tens of microseconds (Smirnov's sum, Durbin's matrix). Safe to share between threads.</summary>
internal sealed class KolmogorovPValueCache
{
    // Direct-mapped: a slot holds the last entry hashed to it. Entries are immutable and a reference is written
    // atomically, so readers need no lock; a race only costs a recomputation.
    private readonly Entry?[] _slots;
    private readonly int _mask;

    /// <summary>A cache of <paramref name="slots"/> entries (rounded up to a power of two).</summary>
    public KolmogorovPValueCache(int slots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        var size = (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots));
        _slots = new Entry?[size];
        _mask = size - 1;
    }

    /// <summary>The process-wide cache monitors share: 16,384 slots, about 0.8 MB when full.</summary>
    public static KolmogorovPValueCache Shared { get; } = new(16_384);

    /// <summary>As <see cref="KolmogorovSmirnovTest.PValue"/>, from the cache when these inputs were seen.</summary>
    public (double PValue, KolmogorovSmirnovMethod Method) PValue(double d, int n1, int n2, KolmogorovSmirnovMethod method)
    {
        var bits = BitConverter.DoubleToInt64Bits(d);
        var slot = (int)(HashCode.Combine(bits, n1, n2, (int)method) & _mask);
        if (_slots[slot] is { } entry && entry.Bits == bits && entry.N1 == n1 && entry.N2 == n2 && entry.Method == method) return (entry.PValue, entry.Used);
        var (p, used) = KolmogorovSmirnovTest.PValue(d, n1, n2, method);
        _slots[slot] = new Entry(bits, n1, n2, method, p, used);
        return (p, used);
    }

    private sealed record Entry(long Bits, int N1, int N2, KolmogorovSmirnovMethod Method, double PValue, KolmogorovSmirnovMethod Used);
}
