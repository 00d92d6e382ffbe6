using System.Globalization;
using System.Text;

namespace Orchestrator.Execution.Agent;

/// <summary>Facts about this machine that an agent announces by default.</summary>
public static class HostFacts
{
    /// <summary>The host name made into a valid node name: lowercased, other characters replaced by '-', at most 63.</summary>
    public static string DefaultNodeName()
    {
        var name = new StringBuilder();
        foreach (var c in Environment.MachineName.ToLowerInvariant())
        {
            name.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' ? c : '-');
        }
        var text = name.ToString().Trim('-', '.');
        if (text.Length > 63) text = text[..63].TrimEnd('-', '.');
        return text.Length == 0 ? "node" : text;
    }

    /// <summary>Total memory from <c>/proc/meminfo</c> in bytes, or 0 where that file does not exist.</summary>
    public static long TotalMemoryBytes() => ParseMemTotal(File.Exists("/proc/meminfo") ? File.ReadAllText("/proc/meminfo") : "");

    /// <summary>The <c>MemTotal</c> line of meminfo text (in kB) as bytes, or 0 when absent.</summary>
    public static long ParseMemTotal(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            var parts = line["MemTotal:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib)) return kib * 1024;
        }
        return 0;
    }
}
