using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrator.Contracts.Yaml;

/// <summary>How plain scalars resolve under the YAML 1.2 core schema, and how numbers are written back.</summary>
internal static partial class YamlScalars
{
    /// <summary>True for <c>~</c>, <c>null</c>/<c>Null</c>/<c>NULL</c> and the empty value.</summary>
    public static bool IsNull(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>Reads <c>true</c>/<c>false</c> in the core schema's spellings.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Reads a core-schema integer or float (<c>12</c>, <c>-3.5</c>, <c>1e-5</c>, <c>0x1f</c>, <c>.inf</c>, <c>.nan</c>).</summary>
    public static bool TryParseNumber(string text, out double value)
    {
        value = 0;
        if (DecimalNumber().IsMatch(text))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }

        if (HexNumber().IsMatch(text))
        {
            value = (double)ulong.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return true;
        }

        if (OctalNumber().IsMatch(text))
        {
            value = Convert.ToUInt64(text[2..], 8);
            return true;
        }

        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                value = double.PositiveInfinity;
                return true;
            case "-.inf" or "-.Inf" or "-.INF":
                value = double.NegativeInfinity;
                return true;
            case ".nan" or ".NaN" or ".NAN":
                value = double.NaN;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// True when <paramref name="text"/> written plainly would be read as something other than that text:
    /// null, a bool, a number, a merge key (also YAML 1.1's yes/no/on/off, for other readers' sake).
    /// </summary>
    public static bool LooksLikeNonText(string text) =>
        IsNull(text)
        || text == "<<"
        || TryParseBool(text, out _)
        || TryParseNumber(text, out _)
        || Yaml11Bool().IsMatch(text);

    /// <summary>
    /// True when the text can be written unquoted in any context (block or flow) by every YAML reader: no indicator
    /// characters, no leading/trailing space. Deliberately stricter than YAML requires; everything else gets quoted.
    /// </summary>
    public static bool IsSafePlain(string text) => !LooksLikeNonText(text) && SafePlain().IsMatch(text);

    /// <summary>Writes a double so that <see cref="TryParseNumber"/> reads back exactly the same value.</summary>
    public static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => ".inf",
        double.NegativeInfinity => "-.inf",
        double.NaN => ".nan",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"^(?!---|\.\.\.)(?:[\p{L}\p{N}_./$()]|-(?=\S))(?:[\p{L}\p{N}_./$()+=@%^ -]*[\p{L}\p{N}_./$()+=@%^-])?$")]
    private static partial Regex SafePlain();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex DecimalNumber();

    [GeneratedRegex(@"^0x[0-9a-fA-F]{1,16}$")]
    private static partial Regex HexNumber();

    [GeneratedRegex(@"^0o[0-7]{1,21}$")]
    private static partial Regex OctalNumber();

    [GeneratedRegex(@"^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")]
    private static partial Regex Yaml11Bool();
}
