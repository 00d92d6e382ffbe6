namespace Orchestrator.Core.Drift;

/// <summary>Counts of a categorical feature's values on both sides over one shared list of categories.</summary>
/// <param name="Categories">Every category seen: the reference's in order of first appearance, then new ones from the current side.</param>
/// <param name="Reference">Reference counts per category.</param>
/// <param name="Current">Current counts per category.</param>
public sealed record CategoryCounts(IReadOnlyList<string> Categories, long[] Reference, long[] Current)
{
    /// <summary>Counts two sequences of category values (compared exactly, case-sensitive).</summary>
    public static CategoryCounts FromValues(IEnumerable<string> reference, IEnumerable<string> current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var categories = new List<string>();
        var referenceCounts = new List<long>();
        var currentCounts = new List<long>();
        foreach (var value in reference) referenceCounts[Slot(value)]++;
        foreach (var value in current) currentCounts[Slot(value)]++;
        return new CategoryCounts(categories, [.. referenceCounts], [.. currentCounts]);

        int Slot(string value)
        {
            if (index.TryGetValue(value, out var i)) return i;
            index[value] = categories.Count;
            categories.Add(value);
            referenceCounts.Add(0);
            currentCounts.Add(0);
            return categories.Count - 1;
        }
    }
}
