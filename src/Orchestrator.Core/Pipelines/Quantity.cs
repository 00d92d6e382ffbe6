using System.Globalization;

namespace Orchestrator.Core.Pipelines;

/// <summary>Kubernetes-style resource quantities: CPU as cores or millicores, memory with binary or decimal suffixes.</summary>
public static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] ByteSuffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    /// <summary>CPU in thousandths of a core from "2", "0.5" or "500m"; throws <see cref="FormatException"/> on bad input.</summary>
    public static long ParseCpuMillis(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var isMillis = trimmed.EndsWith('m');
        var number = isMillis ? trimmed[..^1] : trimmed;
        if (!TryParseNumber(number, out var value))
        {
            throw new FormatException($"expected CPU cores such as \"2\", \"0.5\" or \"500m\" (millicores), got \"{TemplateParser.ForMessage(text)}\"");
        }

        var millis = isMillis ? value : value * 1000m;
        if (millis != decimal.Truncate(millis))
        {
            throw new FormatException($"CPU \"{text}\" is finer than 1m (a thousandth of a core): round it, e.g. \"{decimal.Ceiling(millis)}m\"");
        }

        return ToLong(millis, text);
    }

    /// <summary>Bytes from "4Gi", "512Mi", "1G", "1.5Gi" or "1000"; throws <see cref="FormatException"/> on bad input.</summary>
    public static long ParseBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var factor = 1m;
        var number = trimmed;
        foreach (var (suffix, suffixFactor) in ByteSuffixes)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal))
            {
                factor = suffixFactor;
                number = trimmed[..^suffix.Length];
                break;
            }
        }

        if (!TryParseNumber(number, out var value))
        {
            // Kubernetes reads "512m" as 0.512 bytes: nobody means that, so say what they probably meant.
            var hint = trimmed.EndsWith('m') && TryParseNumber(trimmed[..^1], out _)
                ? $" (\"m\" means thousandths; for mebibytes write \"{trimmed[..^1]}Mi\")"
                : "";
            throw new FormatException(
                $"expected a memory size such as \"4Gi\", \"512Mi\", \"1G\" or \"1000\" (suffixes Ki Mi Gi Ti Pi Ei, k M G T P E), got \"{TemplateParser.ForMessage(text)}\"{hint}");
        }

        decimal bytes;
        try
        {
            bytes = decimal.Ceiling(value * factor);
        }
        catch (OverflowException)
        {
            throw TooLarge(text);
        }

        return ToLong(bytes, text);
    }

    // Digits with an optional fraction and sign; no exponents, no thousands separators, no hex.
    private static bool TryParseNumber(string text, out decimal value)
    {
        value = 0;
        if (text.Length == 0) return false;
        var start = text[0] is '-' or '+' ? 1 : 0;
        var digits = 0;
        var dots = 0;
        for (var i = start; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i])) digits++;
            else if (text[i] == '.') dots++;
            else return false;
        }

        return digits > 0 && dots <= 1
            && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    private static long ToLong(decimal value, string text) =>
        value is > long.MaxValue or < long.MinValue ? throw TooLarge(text) : (long)value;

    private static FormatException TooLarge(string text) => new($"quantity \"{TemplateParser.ForMessage(text)}\" is too large");
}
