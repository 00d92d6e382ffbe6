namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>A clock whose now the simulator sets: the scheduling core reads simulated time through it.</summary>
/// <param name="start">The first now.</param>
public sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => now;

    /// <summary>Moves now to <paramref name="time"/>; simulated time never goes back.</summary>
    public void Set(DateTimeOffset time)
    {
        if (time < now) throw new InvalidOperationException($"simulated time cannot go back from {now:O} to {time:O}");
        now = time;
    }
}
