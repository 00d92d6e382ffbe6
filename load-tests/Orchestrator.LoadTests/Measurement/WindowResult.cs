namespace Orchestrator.LoadTests.Measurement;

/// <summary>What one measured window of load gave.</summary>
/// <param name="Name">What was called.</param>
/// <param name="Calls">Calls that succeeded inside the measured time.</param>
/// <param name="Seconds">The measured time.</param>
/// <param name="P50Ms">Median latency of those calls.</param>
/// <param name="P99Ms">99th percentile latency.</param>
/// <param name="MaxMs">Largest latency.</param>
/// <param name="Errors">Failed calls, warm-up included.</param>
/// <param name="ErrorSamples">The first few distinct failures, for the report.</param>
internal sealed record WindowResult(string Name, long Calls, double Seconds, double P50Ms, double P99Ms, double MaxMs, long Errors, IReadOnlyList<string> ErrorSamples)
{
    /// <summary>Successful calls per second.</summary>
    public double PerSecond => Seconds > 0 ? Calls / Seconds : 0;
}
