using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Rendering;

/// <summary>The plain table style every list uses: headers, no borders, text never read as markup.</summary>
internal static class Tables
{
    /// <summary>An empty borderless table with these column headers.</summary>
    public static Table Create(params string[] headers)
    {
        var table = new Table().NoBorder().HideRowSeparators();
        foreach (var header in headers) table.AddColumn(new TableColumn(new Markup($"[bold]{Markup.Escape(header)}[/]")).PadRight(2).PadLeft(0));
        return table;
    }

    /// <summary>Adds a row of plain text cells (escaped: a '[' in a message is shown, not parsed).</summary>
    public static void AddRow(Table table, params string[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());
}
