using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies durations such as 90s, 1h30m and 250ms, their formatting, and the errors for malformed ones.</summary>
public sealed class DurationsTests
{
    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("1m30s500ms", 90_500)]
    [InlineData("0s", 0)]
    [InlineData(" 5s ", 5_000)]
    public void Parse_ValidDuration_GivesItsLength(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text));
    }

    [Theory]
    [InlineData("-5s", "cannot be negative")]
    [InlineData("", "got an empty string")]
    [InlineData("90", "\"90\" has no unit; write e.g. \"90s\"")]
    [InlineData("1h30", "\"30\" has no unit")]
    [InlineData("5w", "unknown unit \"w\"")]
    [InlineData("5 s", "\"5\" has no unit")]
    [InlineData("s", "expected a number at position 1")]
    [InlineData("1.2.3s", "\"1.2.3\" is not a number")]
    [InlineData("1h-5m", "expected a number at position 3")]
    public void Parse_InvalidDuration_FailsWithAnExample(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => Durations.Parse(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"1h30m\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DurationBeyondTimeSpan_FailsAsTooLong()
    {
        var error = Assert.Throws<FormatException>(() => Durations.Parse("99999999999999999999d"));

        Assert.Contains("is too long", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1h30m")]
    [InlineData("250ms")]
    [InlineData("2d3h4m5s6ms")]
    [InlineData("0s")]
    public void Format_WritesWhatParseReads(string text)
    {
        Assert.Equal(text, Durations.Format(Durations.Parse(text)));
    }
}
