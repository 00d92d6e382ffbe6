using System.Globalization;

namespace Orchestrator.LoadTests.Reporting;

/// <summary>Number formats of the reports (invariant culture, so the output is the same everywhere).</summary>
internal static class Numbers
{
    /// <summary>A whole number with thousands separators.</summary>
    public static string Whole(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A number with <paramref name="decimals"/> decimals.</summary>
    public static string Fixed(double value, int decimals = 1) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A ratio as a percentage.</summary>
    public static string Percent(double ratio) => (ratio * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>Rounded for the JSON line.</summary>
    public static double Round(double value, int decimals = 3) => Math.Round(value, decimals, MidpointRounding.AwayFromZero);
}
