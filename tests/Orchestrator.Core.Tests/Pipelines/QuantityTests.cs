using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies CPU and memory quantities in Kubernetes notation, and the errors for malformed ones.</summary>
public sealed class QuantityTests
{
    [Theory]
    [InlineData("2", 2000)]
    [InlineData("0.5", 500)]
    [InlineData("500m", 500)]
    [InlineData("1.25", 1250)]
    [InlineData("1024", 1_024_000)]
    [InlineData("0", 0)]
    [InlineData("-1", -1000)]
    public void ParseCpuMillis_ValidQuantity_GivesMillicores(string text, long expected)
    {
        Assert.Equal(expected, Quantity.ParseCpuMillis(text));
    }

    [Theory]
    [InlineData("", "expected CPU cores such as")]
    [InlineData("two", "expected CPU cores such as")]
    [InlineData("2 cores", "expected CPU cores such as")]
    [InlineData("1e3", "expected CPU cores such as")]
    [InlineData("0.0005", "finer than 1m")]
    [InlineData("1.5m", "finer than 1m")]
    [InlineData("99999999999999999999", "too large")]
    public void ParseCpuMillis_InvalidQuantity_Fails(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => Quantity.ParseCpuMillis(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1000", 1000)]
    [InlineData("4Gi", 4L << 30)]
    [InlineData("512Mi", 512L << 20)]
    [InlineData("1Ki", 1024)]
    [InlineData("2Ti", 2L << 40)]
    [InlineData("1Pi", 1L << 50)]
    [InlineData("1G", 1_000_000_000)]
    [InlineData("1k", 1000)]
    [InlineData("3M", 3_000_000)]
    [InlineData("1T", 1_000_000_000_000)]
    [InlineData("1P", 1_000_000_000_000_000)]
    [InlineData("1.5Gi", 1_610_612_736)]
    [InlineData("0.5", 1)]
    public void ParseBytes_ValidQuantity_GivesBytes(string text, long expected)
    {
        Assert.Equal(expected, Quantity.ParseBytes(text));
    }

    [Theory]
    [InlineData("", "expected a memory size such as")]
    [InlineData("4GB", "expected a memory size such as")]
    [InlineData("4gi", "expected a memory size such as")]
    [InlineData("Gi", "expected a memory size such as")]
    [InlineData("512m", "for mebibytes write \"512Mi\"")]
    [InlineData("1.2.3Gi", "expected a memory size such as")]
    [InlineData("99999999999Ei", "too large")]
    public void ParseBytes_InvalidQuantity_Fails(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => Quantity.ParseBytes(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
