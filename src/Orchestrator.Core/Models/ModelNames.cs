using System.Text.RegularExpressions;

namespace Orchestrator.Core.Models;

/// <summary>The naming rules of models, aliases, features, metrics, parameters and tags.</summary>
/// <remarks>Patterns end in \z, not $: $ would also accept a trailing newline.</remarks>
public static partial class ModelNames
{
    /// <summary>What <c>latest</c> means in a version reference; no alias may take the name.</summary>
    public const string Latest = "latest";

    /// <summary>A model name: a DNS label, lowercase letters, digits and '-', 1-63 characters.</summary>
    public static bool IsModelName(string name) => DnsLabel().IsMatch(name);

    /// <summary>An alias: a DNS label that is not only digits (a version number) and not <c>latest</c>.</summary>
    public static bool IsAlias(string alias) => DnsLabel().IsMatch(alias) && !alias.All(char.IsAsciiDigit) && alias != Latest;

    /// <summary>A feature, metric or parameter name: letters, digits, '_', '.', ':', '/', '-', 1-128 characters, not starting with punctuation.</summary>
    public static bool IsKey(string key) => KeyPattern().IsMatch(key);

    /// <summary>A metric name: a key that may also hold '@' and '=', so that a segment's metric can be named
    /// <c>accuracy@group=a</c> (the form segment-gap gates read).</summary>
    public static bool IsMetricName(string name) => MetricPattern().IsMatch(name);

    /// <summary>A tag key: like a label key, 1-63 letters, digits, '-', '_', '.' or '/', starting and ending with a letter or digit.</summary>
    public static bool IsTagKey(string key) => TagKeyPattern().IsMatch(key);

    /// <summary>A sha256 digest, 64 hex characters with an optional <c>sha256:</c> prefix; gives it bare and lowercase.</summary>
    public static bool TryNormalizeDigest(string digest, out string normalized)
    {
        var bare = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..] : digest;
        normalized = bare.ToLowerInvariant();
        return bare.Length == 64 && bare.All(char.IsAsciiHexDigit);
    }

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.:/@=-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex MetricPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9_./-]{0,61}[A-Za-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagKeyPattern();
}
