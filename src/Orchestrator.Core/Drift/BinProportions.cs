namespace Orchestrator.Core.Drift;

/// <summary>Turns counts per bin or category into proportions.</summary>
public static class BinProportions
{
    /// <summary>Each count divided by the total; all zeros when the total is zero.</summary>
    public static double[] FromCounts(ReadOnlySpan<long> counts)
    {
        var proportions = new double[counts.Length];
        FromCounts(counts, proportions);
        return proportions;
    }

    /// <summary>As <see cref="FromCounts(ReadOnlySpan{long})"/>, into <paramref name="proportions"/> (as long as the counts).</summary>
    internal static void FromCounts(ReadOnlySpan<long> counts, Span<double> proportions)
    {
        long total = 0;
        foreach (var count in counts)
        {
            if (count < 0) throw new ArgumentException($"a count is {count}; counts cannot be negative", nameof(counts));
            total += count;
        }

        if (total == 0)
        {
            proportions.Clear();
            return;
        }

        for (var i = 0; i < counts.Length; i++) proportions[i] = (double)counts[i] / total;
    }

    // Bins and categories up to this many are turned into proportions on the stack: scoring a window allocates nothing.
    internal const int StackLimit = 128;

    internal static void RequireSameLength(int reference, int current)
    {
        if (reference != current) throw new ArgumentException($"the reference has {reference} bins and the current sample {current}; bin both with the same edges or categories");
        if (reference == 0) throw new ArgumentException("there are no bins; give at least one");
    }
}
