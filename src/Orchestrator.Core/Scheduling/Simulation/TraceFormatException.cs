namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>A trace file cannot be read: the message names the file, the line and the column, and what to fix.</summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the error for <paramref name="path"/> at <paramref name="line"/> (0 for the file as a whole)
    /// and, when given, the 1-based <paramref name="columnNumber"/> named <paramref name="column"/>.</summary>
    public TraceFormatException(string path, int line, int columnNumber, string? column, string problem)
        : base(Describe(path, line, columnNumber, column, problem))
    {
        Path = path;
        Line = line;
        ColumnNumber = columnNumber;
        Column = column;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>1-based line, or 0 when the problem is the whole file.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0 when the problem is not one value.</summary>
    public int ColumnNumber { get; }

    /// <summary>The column's name from the header, or null.</summary>
    public string? Column { get; }

    private static string Describe(string path, int line, int columnNumber, string? column, string problem)
    {
        var where = line > 0 ? $"{path} line {line}" : path;
        if (columnNumber > 0) where += $", column {columnNumber} ({column})";
        return $"{where}: {problem}";
    }
}
