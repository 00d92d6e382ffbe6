namespace Orchestrator.Core.Drift;

/// <summary>Turns counts per bin or category into proportions.</summary>
public static class BinProportions
{
    /// <summary>Each count divided by the total; all zeros when the total is zero.</summary>
    public static double[] FromCounts(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (var count in counts)
        {
            if (count < 0) throw new ArgumentException($"a count is {count}; counts cannot be negative", nameof(counts));
            total += count;
        }

        var proportions = new double[counts.Length];
        if (total == 0) return proportions;
        for (var i = 0; i < counts.Length; i++) proportions[i] = (double)counts[i] / total;
        return proportions;
    }

    internal static void RequireSameLength(int reference, int current)
    {
        if (reference != current) throw new ArgumentException($"the reference has {reference} bins and the current sample {current}; bin both with the same edges or categories");
        if (reference == 0) throw new ArgumentException("there are no bins; give at least one");
    }
}
