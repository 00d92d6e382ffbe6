namespace Orchestrator.Core.Rollouts;

/// <summary>What a rollout's tracker decided at an observation or a clock tick.</summary>
public enum RolloutDecisionKind
{
    /// <summary>Nothing changes.</summary>
    None = 0,
    /// <summary>The challenger moves to the next step.</summary>
    Advance = 1,
    /// <summary>The last step is done: the challenger becomes champion.</summary>
    Complete = 2,
    /// <summary>The challenger is withdrawn.</summary>
    RollBack = 3,
}

/// <summary>A tracker's decision and why, in words a user can act on.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Step">For <see cref="RolloutDecisionKind.Advance"/>, the index of the step moved to.</param>
/// <param name="Reason">Why.</param>
public sealed record RolloutDecision(RolloutDecisionKind Kind, int Step = 0, string Reason = "")
{
    /// <summary>Nothing changes.</summary>
    public static RolloutDecision None { get; } = new(RolloutDecisionKind.None);
}
