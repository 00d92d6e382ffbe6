using Orchestrator.LoadTests.Measurement;

namespace Orchestrator.LoadTests.Submit;

/// <summary>Settings of the submit benchmark.</summary>
/// <param name="Shape">Load of each window (submit and echo alike).</param>
/// <param name="Rounds">Rounds, each one submit window and one echo window, their order alternating.</param>
/// <param name="ServerWarmUp">Load of each call before the first round, not counted: a freshly started server's JIT
/// needs longer than one window's warm-up to reach its steady state.</param>
/// <param name="Tenant">Tenant of the pipeline and runs.</param>
internal sealed record SubmitSettings(LoadShape Shape, int Rounds, TimeSpan ServerWarmUp, string Tenant)
{
    /// <summary>The target rate on the 2-core machine.</summary>
    public const double TargetPerSecond = 2_000;

    /// <summary>The target share of the echo's rate.</summary>
    public const double TargetShareOfEcho = 0.30;
}
