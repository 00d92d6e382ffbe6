using System.Globalization;

namespace Orchestrator.Core.Retraining;

/// <summary>A standard five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC, as
/// Kubernetes CronJobs and Argo CronWorkflows write them: <c>*</c>, lists (<c>1,15</c>), ranges (<c>1-5</c>), steps
/// (<c>*/15</c>, <c>0-30/10</c>), month and weekday names (<c>jan</c>, <c>mon</c>), and 7 as Sunday. When both
/// day-of-month and day-of-week are restricted, a day matching either fires (the Vixie cron rule).</summary>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly bool[] _minutes;
    private readonly bool[] _hours;
    private readonly bool[] _days;
    private readonly bool[] _months;
    private readonly bool[] _weekdays;
    private readonly bool _anyDay;
    private readonly bool _anyWeekday;

    private CronSchedule(string expression, bool[] minutes, bool[] hours, bool[] days, bool[] months, bool[] weekdays, bool anyDay, bool anyWeekday)
    {
        Expression = expression;
        (_minutes, _hours, _days, _months, _weekdays, _anyDay, _anyWeekday) = (minutes, hours, days, months, weekdays, anyDay, anyWeekday);
    }

    /// <summary>The expression as written.</summary>
    public string Expression { get; }

    /// <summary>Parses <paramref name="expression"/>; null and a message naming the part to fix when it is not valid.</summary>
    public static CronSchedule? TryParse(string expression, out string? problem)
    {
        problem = null;
        var fields = (expression ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            problem = $"\"{expression}\" has {fields.Length} field(s); write five: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\" for 03:00 UTC daily";
            return null;
        }

        var minutes = Field(fields[0], "minute", 0, 59, null, ref problem);
        var hours = Field(fields[1], "hour", 0, 23, null, ref problem);
        var days = Field(fields[2], "day-of-month", 1, 31, null, ref problem);
        var months = Field(fields[3], "month", 1, 12, MonthNames, ref problem);
        var weekdays = Field(fields[4], "day-of-week", 0, 7, DayNames, ref problem);
        if (problem is not null) return null;
        // 7 is Sunday too.
        if (weekdays![7]) weekdays[0] = true;
        return new CronSchedule(expression!, minutes!, hours!, days!, months!, weekdays, fields[2] == "*", fields[4] == "*");
    }

    /// <summary>Parses <paramref name="expression"/> or throws <see cref="FormatException"/> saying what to fix.</summary>
    public static CronSchedule Parse(string expression) =>
        TryParse(expression, out var problem) ?? throw new FormatException(problem);

    /// <summary>The first time strictly after <paramref name="after"/> (to the minute, UTC) that the schedule fires.</summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        var t = after.ToUniversalTime();
        var time = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        // Within five years every valid expression fires (Feb 29 recurs every four); the bound makes a bug visible.
        var limit = time.AddYears(5);
        while (time < limit)
        {
            if (!_months[time.Month])
            {
                time = new DateTimeOffset(time.Year, time.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
                continue;
            }

            if (!DayMatches(time))
            {
                time = new DateTimeOffset(time.Year, time.Month, time.Day, 0, 0, 0, TimeSpan.Zero).AddDays(1);
                continue;
            }

            if (!_hours[time.Hour])
            {
                time = new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
                continue;
            }

            if (!_minutes[time.Minute])
            {
                time = time.AddMinutes(1);
                continue;
            }

            return time;
        }

        throw new InvalidOperationException($"cron \"{Expression}\" does not fire within five years of {after:O}");
    }

    private bool DayMatches(DateTimeOffset time)
    {
        var day = _days[time.Day];
        var weekday = _weekdays[(int)time.DayOfWeek];
        if (_anyDay && _anyWeekday) return true;
        if (_anyDay) return weekday;
        if (_anyWeekday) return day;
        return day || weekday;
    }

    private static bool[]? Field(string text, string name, int min, int max, string[]? names, ref string? problem)
    {
        var set = new bool[max + 1];
        foreach (var part in text.Split(','))
        {
            var step = 1;
            var range = part;
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
                {
                    problem ??= $"{name} \"{text}\": the step after '/' must be a whole number of at least 1, e.g. */15";
                    return null;
                }

                range = part[..slash];
            }

            int from, to;
            if (range == "*") (from, to) = (min, max);
            else
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                var valid = Value(dash >= 0 ? range[..dash] : range, min, max, names, out from);
                to = from;
                if (dash >= 0) valid &= Value(range[(dash + 1)..], min, max, names, out to);
                else if (slash >= 0) to = max;
                if (!valid)
                {
                    problem ??= $"{name} \"{text}\": \"{range}\" is not a value from {min} to {max}{(names is null ? "" : $" or a name ({string.Join(", ", names.Take(3))}, ...)")}";
                    return null;
                }

                if (to < from)
                {
                    problem ??= $"{name} \"{text}\": the range {range} runs backwards; write the smaller value first";
                    return null;
                }
            }

            for (var v = from; v <= to; v += step) set[v] = true;
        }

        return set;
    }

    private static bool Value(string text, int min, int max, string[]? names, out int value)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return value >= min && value <= max;
        if (names is not null)
        {
            var index = Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                // Months are named from 1, weekdays from 0.
                value = index + (min == 1 ? 1 : 0);
                return true;
            }
        }

        return false;
    }
}
