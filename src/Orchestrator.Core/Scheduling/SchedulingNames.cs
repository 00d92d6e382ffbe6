using System.Text.RegularExpressions;

namespace Orchestrator.Core.Scheduling;

/// <summary>The naming rules of pools, tenants and priority classes.</summary>
public static partial class SchedulingNames
{
    /// <summary>A pool, tenant or priority class name: a DNS label, lowercase letters, digits and '-', 1-63 characters.</summary>
    public static bool IsName(string name) => NamePattern().IsMatch(name);

    /// <summary>What <see cref="IsName"/> accepts, in words for error messages.</summary>
    public const string NameRule = "lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit";

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
