namespace Orchestrator.LoadTests.Submit;

/// <summary>Medians over the rounds of one call.</summary>
/// <param name="Call">SubmitRun or Echo.</param>
/// <param name="PerSecond">Calls per second.</param>
/// <param name="P50Ms">Median latency.</param>
/// <param name="P99Ms">99th percentile latency.</param>
/// <param name="MaxMs">Slowest call.</param>
/// <param name="Errors">Failed calls, summed over the rounds.</param>
internal sealed record Medians(string Call, double PerSecond, double P50Ms, double P99Ms, double MaxMs, long Errors);
