using Orchestrator.Core.Scheduling.Policies;

namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>A queue policy as the simulator runs it: the policy, the core's tuning beside it, and whether jobs carry
/// their true remaining duration (an oracle only SRTF may have).</summary>
/// <param name="Policy">The queue policy.</param>
/// <param name="Tuning">Aging, grace period, backfill and fair share for this policy.</param>
/// <param name="OracleDurations">Whether each job's <see cref="JobRequest.ExpectedDuration"/> is its true remaining
/// duration; otherwise it is null and the core estimates durations from the history of alike jobs.</param>
public sealed record SimulationPolicy(IQueuePolicy Policy, SchedulingTuning Tuning, bool OracleDurations)
{
    /// <summary>The policy names <see cref="ByName"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fifo", "srtf", "tiresias", "default"];

    /// <summary>The grace period of a preemption in every simulated policy: SIGTERM, then 30 s to checkpoint and stop.</summary>
    public static TimeSpan Grace { get; } = TimeSpan.FromSeconds(30);

    /// <summary>The policy called <paramref name="name"/> (case-insensitive); null when there is none.</summary>
    public static SimulationPolicy? ByName(string name) => name.Trim().ToLowerInvariant() switch
    {
        // Aging off for the reference policies: it would reorder them into something else than what they name.
        // FIFO and SRTF keep EASY reservations (SRTF with its oracle gets its best figures so); Tiresias starts
        // greedily whatever fits, as its simulator and the Muri testbed do; default does best greedily too.
        "fifo" => new(FifoPolicy.Instance, SimulationTuning(BackfillMode.Reserve), OracleDurations: false),
        "srtf" => new(new SrtfPolicy(), SimulationTuning(BackfillMode.Reserve), OracleDurations: true),
        "tiresias" => new(new TiresiasPolicy(), SimulationTuning(BackfillMode.Greedy), OracleDurations: false),
        "default" => new(new DefaultQueuePolicy(), SimulationTuning(BackfillMode.Greedy), OracleDurations: false),
        _ => null,
    };

    private static SchedulingTuning SimulationTuning(BackfillMode mode) =>
        new(AgingInterval: TimeSpan.FromMinutes(10), MaxAgingBoost: 0, PreemptionGrace: Grace, Backfill: true, FairShare: true, mode);
}
