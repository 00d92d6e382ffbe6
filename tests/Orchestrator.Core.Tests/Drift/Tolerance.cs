namespace Orchestrator.Core.Tests.Drift;

/// <summary>Relative-tolerance assertions with the bounds: 1e-9 for statistics, 1e-6 for p-values; and 1e-12
/// between the monitors' fast path and the reference functions.</summary>
internal static class Tolerance
{
    public const double Statistic = 1e-9;
    public const double PValue = 1e-6;
    public const double FastPath = 1e-12;

    public static bool IsRelativelyClose(double expected, double actual, double tolerance) =>
        (expected == 0 ? Math.Abs(actual) : Math.Abs(actual - expected) / Math.Abs(expected)) <= tolerance;

    public static void Relative(double expected, double actual, double tolerance, string what)
    {
        var error = expected == 0 ? Math.Abs(actual) : Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(error <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (relative error {error:E2} > {tolerance:E0})");
    }
}
