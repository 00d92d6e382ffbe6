using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrator.Execution.Gpus;

/// <summary>Parses <c>nvidia-smi --query-gpu=… --format=csv</c> output, with or without header and units.</summary>
/// <remarks>
/// With a header, columns are found by name, so extra or reordered columns are fine; without one they are taken in
/// the order of <see cref="QueryFields"/>. Only the first CSV block is read: a second header line (another query
/// appended, such as <c>--query-compute-apps</c>) ends it.
/// </remarks>
public static partial class NvidiaSmiCsv
{
    /// <summary>The fields the agent asks for, in the order a header-less output is read.</summary>
    public const string QueryFields = "index,uuid,name,memory.total,memory.used,utilization.gpu";

    private static readonly string[] PositionalColumns = QueryFields.Split(',');

    /// <summary>Parses the output; never throws for bad content, which is reported in <see cref="NvidiaSmiQueryResult.Problems"/>.</summary>
    public static NvidiaSmiQueryResult Parse(string output)
    {
        var gpus = new List<NvidiaSmiGpuRow>();
        var problems = new List<string>();
        ColumnMap? columns = null;
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split(',').Select(f => f.Trim()).ToArray();
            if (IsHeader(fields))
            {
                // A header after rows (or after another header) starts a different query's block.
                if (columns is not null || gpus.Count > 0) break;
                columns = ColumnMap.FromHeader(fields);
                if (columns.Index < 0)
                {
                    problems.Add($"line {i + 1}: header has no \"index\" column, so no GPU can be read: {Quote(line)}");
                    break;
                }
                continue;
            }
            var row = ParseRow(fields, columns ?? ColumnMap.Positional, i + 1, line, problems);
            if (row is not null) gpus.Add(row);
        }
        return new NvidiaSmiQueryResult(gpus, problems);
    }

    private static NvidiaSmiGpuRow? ParseRow(string[] fields, ColumnMap columns, int lineNumber, string line, List<string> problems)
    {
        if (fields.Length <= columns.Index || (columns.IsPositional && fields.Length < PositionalColumns.Length))
        {
            problems.Add($"line {lineNumber}: not a GPU row: expected {columns.Expected} comma-separated fields ({QueryFields}), got {fields.Length}: {Quote(line)}");
            return null;
        }
        if (!int.TryParse(fields[columns.Index], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            problems.Add($"line {lineNumber}: not a GPU row: index {Quote(fields[columns.Index])} is not a number: {Quote(line)}");
            return null;
        }
        string Text(int column) => column >= 0 && column < fields.Length && !IsNotAvailable(fields[column]) ? fields[column] : "";
        long? Memory(int column, string? headerUnit, string name)
        {
            var text = Text(column);
            if (text.Length == 0) return null;
            if (TryParseMemory(text, headerUnit, out var bytes)) return bytes;
            problems.Add($"line {lineNumber}: {name} {Quote(text)} is not a memory size like \"143771 MiB\"; ignored");
            return null;
        }
        double? utilization = null;
        var utilizationText = Text(columns.Utilization);
        if (utilizationText.Length > 0)
        {
            if (TryParseNumber(utilizationText.TrimEnd('%').Trim(), out var percent)) utilization = Math.Clamp(percent / 100.0, 0, 1);
            else problems.Add($"line {lineNumber}: utilization.gpu {Quote(utilizationText)} is not a percentage like \"100 %\"; ignored");
        }
        return new NvidiaSmiGpuRow(
            index,
            Text(columns.Uuid),
            Text(columns.Name),
            Memory(columns.MemoryTotal, columns.MemoryTotalUnit, "memory.total"),
            Memory(columns.MemoryUsed, columns.MemoryUsedUnit, "memory.used"),
            utilization);
    }

    private static bool IsHeader(string[] fields) =>
        !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out _) && fields.All(f => HeaderField().IsMatch(f));

    private static bool IsNotAvailable(string value) =>
        value.Length == 0 || (value.StartsWith('[') && value.EndsWith(']')) || value.Equals("N/A", StringComparison.OrdinalIgnoreCase);

    private static bool TryParseMemory(string text, string? headerUnit, out long bytes)
    {
        bytes = 0;
        var match = ValueWithUnit().Match(text);
        if (!match.Success || !TryParseNumber(match.Groups["number"].Value, out var number)) return false;
        var unit = match.Groups["unit"].Success ? match.Groups["unit"].Value : headerUnit ?? "MiB";
        long? multiplier = unit.ToUpperInvariant() switch
        {
            "B" => 1L,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            _ => null,
        };
        if (multiplier is null) return false;
        bytes = (long)Math.Round(number * multiplier.Value);
        return true;
    }

    private static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string Quote(string text) => "\"" + (text.Length > 120 ? text[..120] + "…" : text) + "\"";

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.]*(\s*\[[^\]]*\])?$")]
    private static partial Regex HeaderField();

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?)\s*(?<unit>[A-Za-z]+)?$")]
    private static partial Regex ValueWithUnit();

    [GeneratedRegex(@"^(?<name>[^\[]+?)\s*(\[(?<unit>[^\]]*)\])?$")]
    private static partial Regex HeaderNameAndUnit();

    /// <summary>Where each field is, and the unit a header names for it.</summary>
    private sealed record ColumnMap(
        int Index, int Uuid, int Name, int MemoryTotal, int MemoryUsed, int Utilization,
        string? MemoryTotalUnit, string? MemoryUsedUnit, bool IsPositional)
    {
        public static ColumnMap Positional { get; } = new(0, 1, 2, 3, 4, 5, null, null, true);

        public int Expected => IsPositional ? PositionalColumns.Length : Index + 1;

        public static ColumnMap FromHeader(string[] header)
        {
            var names = new string[header.Length];
            var units = new string?[header.Length];
            for (var i = 0; i < header.Length; i++)
            {
                var match = HeaderNameAndUnit().Match(header[i]);
                names[i] = match.Groups["name"].Value.ToLowerInvariant();
                units[i] = match.Groups["unit"].Success ? match.Groups["unit"].Value : null;
            }
            int Find(string name) => Array.IndexOf(names, name);
            var total = Find("memory.total");
            var used = Find("memory.used");
            return new ColumnMap(
                Find("index"), Find("uuid"), Find("name"), total, used, Find("utilization.gpu"),
                total >= 0 ? units[total] : null, used >= 0 ? units[used] : null, false);
        }
    }
}
