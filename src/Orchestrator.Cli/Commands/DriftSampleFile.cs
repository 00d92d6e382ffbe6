using System.Globalization;
using System.Text;

namespace Orchestrator.Cli.Commands;

/// <summary>Reads one side of <c>orch drift compare</c>: one value per line, or one column of a CSV file with a header
/// row. Blank lines and empty cells are skipped; every other problem is a usage error naming the flag, file and line.</summary>
internal static class DriftSampleFile
{
    /// <summary>The values of <paramref name="path"/> as text (trimmed), from column <paramref name="column"/> when given.</summary>
    public static List<(string Text, int Line)> ReadValues(string flag, string path, string? column)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliUsageException($"{flag} '{path}': no such file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"{flag} '{path}': cannot read it ({e.Message})");
        }

        var values = new List<(string Text, int Line)>();
        var columnIndex = -1;
        var headerLine = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (column is null)
            {
                values.Add((line.Trim(), i + 1));
                continue;
            }

            var fields = SplitCsv(line);
            if (columnIndex < 0)
            {
                var header = fields.Select(f => f.Trim()).ToList();
                columnIndex = header.IndexOf(column);
                if (columnIndex < 0)
                {
                    throw new CliUsageException($"{flag} '{path}': no column '{column}' in the header; its columns are {string.Join(", ", header.Select(h => $"'{h}'"))}");
                }

                headerLine = i + 1;
                continue;
            }

            if (fields.Count <= columnIndex)
            {
                throw new CliUsageException($"{flag} '{path}': line {i + 1} has {fields.Count} fields, so no '{column}' (field {columnIndex + 1} of the header on line {headerLine})");
            }

            var value = fields[columnIndex].Trim();
            if (value.Length > 0) values.Add((value, i + 1));
        }

        if (values.Count == 0)
        {
            throw new CliUsageException(column is null
                ? $"{flag} '{path}': no values; give one value per line"
                : $"{flag} '{path}': no values in column '{column}'");
        }

        return values;
    }

    /// <summary>The values as finite numbers; the first that is not one is a usage error with its line.</summary>
    public static double[] ParseNumbers(string flag, string path, List<(string Text, int Line)> values)
    {
        var numbers = new double[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var (text, line) = values[i];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            {
                throw new CliUsageException($"{flag} '{path}': line {line}: '{text}' is not a finite number; give numbers like 0.5 or -1e3, or pass --categorical to compare categories");
            }

            numbers[i] = number;
        }

        return numbers;
    }

    /// <summary>Splits one CSV line on commas, honouring double quotes (a doubled quote inside is one quote).</summary>
    internal static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
