using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Orchestrator.Core.Pipelines;

/// <summary>Parameter values as canonical text: the one form they take in plans, templates, cache keys and storage.</summary>
/// <remarks>
/// string: as is; int: invariant <see cref="long"/> text; float: invariant round-trip <see cref="double"/> text;
/// bool: <c>true</c>/<c>false</c>; list: a compact JSON array of scalars such as <c>[0.1,0.01]</c> or <c>["a","b"]</c>.
/// </remarks>
public static class ParameterValues
{
    // Canonical text is stored and hashed, never embedded in HTML, so readable non-ASCII beats \u escapes.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The canonical text of <paramref name="raw"/> read as <paramref name="type"/>; throws <see cref="FormatException"/> saying what was expected.</summary>
    public static string Canonicalize(ParameterType type, string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return type switch
        {
            ParameterType.String => raw,
            ParameterType.Int => CanonicalInt(raw),
            ParameterType.Float => CanonicalFloat(raw),
            ParameterType.Bool => CanonicalBool(raw),
            ParameterType.List => CanonicalList(raw),
            _ => throw new FormatException($"unknown parameter type {(int)type}: use string, int, float, bool or list"),
        };
    }

    /// <summary>Each item of a list value as canonical scalar text (strings unquoted).</summary>
    public static IReadOnlyList<string> ListItems(string canonicalList)
    {
        ArgumentNullException.ThrowIfNull(canonicalList);
        using var document = ParseList(canonicalList);
        var items = new List<string>(document.RootElement.GetArrayLength());
        foreach (var element in document.RootElement.EnumerateArray())
        {
            items.Add(element.ValueKind switch
            {
                JsonValueKind.String => StringOf(element, canonicalList),
                JsonValueKind.Number => CanonicalNumber(element),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => throw NotAScalar(element, canonicalList),
            });
        }

        return items;
    }

    /// <summary>The name users write for a type: string, int, float, bool or list.</summary>
    public static string TypeName(ParameterType type) => type switch
    {
        ParameterType.String => "string",
        ParameterType.Int => "int",
        ParameterType.Float => "float",
        ParameterType.Bool => "bool",
        ParameterType.List => "list",
        _ => ((int)type).ToString(CultureInfo.InvariantCulture),
    };

    private static string CanonicalInt(string raw)
    {
        if (long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        throw new FormatException($"expected an integer (64-bit, e.g. 42 or -7), got {Quote(raw)}");
    }

    private static string CanonicalFloat(string raw)
    {
        var text = raw.Trim();
        if (LooksNumeric(text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value))
        {
            return value.ToString("R", CultureInfo.InvariantCulture);
        }

        throw new FormatException($"expected a finite number (e.g. 0.5 or 1e-5), got {Quote(raw)}");
    }

    private static string CanonicalBool(string raw)
    {
        if (bool.TryParse(raw.Trim(), out var value)) return value ? "true" : "false";
        throw new FormatException($"expected true or false, got {Quote(raw)}");
    }

    private static string CanonicalList(string raw)
    {
        using var document = ParseList(raw);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var element in document.RootElement.EnumerateArray())
            {
                switch (element.ValueKind)
                {
                    case JsonValueKind.String: writer.WriteStringValue(StringOf(element, raw)); break;
                    case JsonValueKind.Number: writer.WriteRawValue(CanonicalNumber(element)); break;
                    case JsonValueKind.True: writer.WriteBooleanValue(true); break;
                    case JsonValueKind.False: writer.WriteBooleanValue(false); break;
                    default: throw NotAScalar(element, raw);
                }
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static JsonDocument ParseList(string raw)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(raw);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FormatException($"expected a JSON array of scalars such as [0.1, 0.01] or [\"a\", \"b\"], got {Quote(raw)}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            throw new FormatException($"expected a JSON array of scalars such as [0.1, 0.01] or [\"a\", \"b\"], got {Quote(raw)}");
        }

        return document;
    }

    // A JSON escape can encode half a surrogate pair, which no .NET string operation downstream can carry.
    private static string StringOf(JsonElement element, string raw)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new FormatException($"list item {element.GetRawText()} in {Quote(raw)} is not valid Unicode text (an unpaired surrogate)");
        }
    }

    // Integers stay integers ("3", not "3.0"); anything else is the round-trip double, so 0.10 and 0.1 are one value.
    private static string CanonicalNumber(JsonElement element)
    {
        if (element.TryGetInt64(out var integer)) return integer.ToString(CultureInfo.InvariantCulture);
        if (element.TryGetDouble(out var number) && double.IsFinite(number)) return number.ToString("R", CultureInfo.InvariantCulture);
        throw new FormatException($"list item {element.GetRawText()} is out of range for a 64-bit float");
    }

    private static FormatException NotAScalar(JsonElement element, string raw) => new(
        $"list items must be strings, numbers or booleans, got {Describe(element.ValueKind)} in {Quote(raw)}: nested lists, objects and null are not allowed");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "a nested list",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    // double.TryParse also accepts "NaN", "Infinity" and "∞"; numbers here must start like a number.
    private static bool LooksNumeric(string text) =>
        text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.');

    private static string Quote(string raw) => "\"" + TemplateParser.ForMessage(raw) + "\"";
}
