namespace Orchestrator.Contracts.Yaml;

/// <summary>Finds the valid name a misspelt one was probably meant to be.</summary>
internal static class NameSuggestions
{
    /// <summary>The closest candidate by edit distance (case-insensitive, '-' and '_' alike), or null when none is close.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        var wanted = Normalize(name);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(wanted, Normalize(candidate));
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Allow about one edit per three characters: "resorces" -> "resources", but "x" is not "name".
        var allowed = Math.Max(1, Math.Min(3, wanted.Length / 3));
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Damerau-Levenshtein distance (optimal string alignment): a swap of neighbours counts as one edit.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static string Normalize(string name) => name.ToLowerInvariant().Replace('-', '_');
}
