namespace Orchestrator.Cli.Commands;

/// <summary>Reads repeated <c>key=value</c> option values (<c>-p rows=100 -p lr=0.1</c>).</summary>
internal static class KeyValueArguments
{
    /// <summary>The pairs in the order given; a value may contain '=' (only the first one splits).</summary>
    /// <exception cref="CliUsageException">For a value without '=', an empty key, or a key given twice.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(IEnumerable<string>? values, string option, string example)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliUsageException($"{option} '{value}' is not KEY=VALUE; write it like {option} {example}");
            }

            var key = value[..equals].Trim();
            if (key.Length == 0) throw new CliUsageException($"{option} '{value}' has an empty key; write it like {option} {example}");
            if (!seen.Add(key)) throw new CliUsageException($"{option} '{key}' is given twice; give each key once");
            pairs.Add(new(key, value[(equals + 1)..]));
        }

        return pairs;
    }
}
