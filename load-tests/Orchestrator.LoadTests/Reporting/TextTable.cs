namespace Orchestrator.LoadTests.Reporting;

/// <summary>A plain-text table: the first column left-aligned, the others (numbers) right-aligned.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a row; missing cells are empty.</summary>
    public TextTable Add(params string[] cells)
    {
        _rows.Add([.. cells.Concat(Enumerable.Repeat("", Math.Max(0, headers.Length - cells.Length)))]);
        return this;
    }

    /// <summary>Writes the header, a rule and the rows.</summary>
    public void WriteTo(TextWriter writer)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        Write(writer, headers, widths);
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows) Write(writer, row, widths);
    }

    private static void Write(TextWriter writer, string[] cells, int[] widths) =>
        writer.WriteLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
}
