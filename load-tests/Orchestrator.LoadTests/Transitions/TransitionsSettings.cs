namespace Orchestrator.LoadTests.Transitions;

/// <summary>Settings of the transitions benchmark.</summary>
/// <param name="Sizes">Fan-out sizes N, each run having N steps.</param>
/// <param name="MaxRunsPerSize">Most runs measured per size.</param>
/// <param name="TimePerSize">Runs of a size stop being started after this long (at least one always runs).</param>
/// <param name="WarmUpRuns">Small runs before measuring (JIT, connections), not counted.</param>
/// <param name="RunTimeout">A run not finished by then fails the benchmark.</param>
/// <param name="Tenant">Tenant of the pipeline and runs.</param>
internal sealed record TransitionsSettings(IReadOnlyList<int> Sizes, int MaxRunsPerSize, TimeSpan TimePerSize, int WarmUpRuns, TimeSpan RunTimeout, string Tenant)
{
    /// <summary>Step transitions of a step that runs once and succeeds: Ready, Placed, Started (Running), Succeeded.</summary>
    public const int TransitionsPerStep = 4;

    /// <summary>Largest fan-out the server accepts by default (Orchestrator:MaxStepsPerRun).</summary>
    public const int MaxSize = 10_000;

    /// <summary>Size of the warm-up runs: small, so warming up never takes long.</summary>
    public static int WarmUpSize(IReadOnlyList<int> sizes) => Math.Min(10, sizes.Min());
}
