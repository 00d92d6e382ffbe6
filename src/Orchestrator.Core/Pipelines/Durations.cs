using System.Globalization;

namespace Orchestrator.Core.Pipelines;

/// <summary>Durations written as a sequence of number-unit pairs: "90s", "10m", "1h30m", "250ms", "2d".</summary>
public static class Durations
{
    private const string Example = "expected a duration such as \"90s\", \"10m\", \"1h30m\", \"250ms\" or \"2d\" (units d, h, m, s, ms)";

    /// <summary>Parses a duration; throws <see cref="FormatException"/> with an example on negative, unit-less or unknown-unit input.</summary>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw new FormatException($"{Example}, got an empty string");
        if (trimmed[0] == '-') throw new FormatException($"a duration cannot be negative: {Example}, got \"{ForMessage(text)}\"");

        decimal ticks = 0;
        var position = 0;
        while (position < trimmed.Length)
        {
            var numberStart = position;
            while (position < trimmed.Length && (char.IsAsciiDigit(trimmed[position]) || trimmed[position] == '.')) position++;
            var number = trimmed[numberStart..position];
            var unitStart = position;
            while (position < trimmed.Length && char.IsAsciiLetter(trimmed[position])) position++;
            var unit = trimmed[unitStart..position];

            if (number.Length == 0)
            {
                throw new FormatException($"{Example}, got \"{ForMessage(text)}\" (expected a number at position {numberStart + 1})");
            }

            if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"{Example}, got \"{ForMessage(text)}\" (\"{number}\" is not a number)");
            }

            if (unit.Length == 0)
            {
                throw new FormatException($"{Example}, got \"{ForMessage(text)}\": \"{number}\" has no unit; write e.g. \"{number}s\"");
            }

            var unitTicks = unit switch
            {
                "d" => TimeSpan.TicksPerDay,
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                _ => throw new FormatException($"{Example}, got \"{ForMessage(text)}\": unknown unit \"{unit}\""),
            };

            try
            {
                ticks += value * unitTicks;
            }
            catch (OverflowException)
            {
                throw TooLong(text);
            }
        }

        return ticks > TimeSpan.MaxValue.Ticks ? throw TooLong(text) : TimeSpan.FromTicks((long)decimal.Round(ticks));
    }

    /// <summary>Writes a duration the way <see cref="Parse"/> reads it, e.g. "1h30m" or "250ms".</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero) return "0s";
        var builder = new System.Text.StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            builder.Append('-');
            duration = duration.Duration();
        }

        Append(builder, duration.Days, "d");
        Append(builder, duration.Hours, "h");
        Append(builder, duration.Minutes, "m");
        Append(builder, duration.Seconds, "s");
        Append(builder, duration.Milliseconds, "ms");
        return builder.ToString();
    }

    private static void Append(System.Text.StringBuilder builder, int value, string unit)
    {
        if (value != 0) builder.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
    }

    private static FormatException TooLong(string text) => new($"duration \"{ForMessage(text)}\" is too long");

    private static string ForMessage(string text) => TemplateParser.ForMessage(text);
}
