using Orchestrator.Core.Retraining;

namespace Orchestrator.Core.Tests.Retraining;

/// <summary>Verifies the five-field cron schedule: the next firing time for common expressions (steps, lists, ranges,
/// names, Sunday as 7, the day-of-month OR day-of-week rule), that it is strictly after the given time, and that bad
/// expressions are refused naming the field to fix.</summary>
public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Saturday = new(2026, 11, 28, 10, 17, 30, TimeSpan.Zero);

    [Theory]
    [InlineData("* * * * *", "2026-11-28T10:18:00Z")]
    [InlineData("*/15 * * * *", "2026-11-28T10:30:00Z")]
    [InlineData("0 3 * * *", "2026-11-29T03:00:00Z")]
    [InlineData("0 9-17/4 * * *", "2026-11-28T13:00:00Z")]
    [InlineData("30 2 1 * *", "2026-12-01T02:30:00Z")]
    [InlineData("0 0 * * mon", "2026-11-30T00:00:00Z")]
    [InlineData("0 0 * * 7", "2026-11-29T00:00:00Z")]
    [InlineData("0 12 * jan,feb *", "2027-01-01T12:00:00Z")]
    [InlineData("0 0 29 2 *", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 15 * fri", "2026-12-04T00:00:00Z")]
    [InlineData("17 10 * * *", "2026-11-29T10:17:00Z")]
    public void Next_IsTheFirstMatchingMinuteStrictlyAfter(string expression, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CronSchedule.Parse(expression).Next(Saturday));
    }

    [Theory]
    [InlineData("0 3 * *", "has 4 field(s); write five")]
    [InlineData("60 * * * *", "minute \"60\": \"60\" is not a value from 0 to 59")]
    [InlineData("* 25 * * *", "hour \"25\"")]
    [InlineData("* * 0 * *", "day-of-month \"0\"")]
    [InlineData("* * * foo *", "or a name (jan, feb, mar, ...)")]
    [InlineData("*/0 * * * *", "the step after '/' must be a whole number of at least 1")]
    [InlineData("* 5-2 * * *", "the range 5-2 runs backwards")]
    public void Parse_BadExpression_SaysWhichFieldAndHowToFixIt(string expression, string fragment)
    {
        Assert.Null(CronSchedule.TryParse(expression, out var problem));
        Assert.Contains(fragment, problem, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
    }
}
