namespace Orchestrator.Core.Rollouts;

/// <summary>Where a deployment's rollout stands.</summary>
public enum RolloutPhase
{
    /// <summary>No rollout has started: the champion serves everything.</summary>
    Idle = 0,
    /// <summary>The challenger serves its step's share.</summary>
    Progressing = 1,
    /// <summary>The challenger reached 100% and became champion.</summary>
    Completed = 2,
    /// <summary>The challenger was withdrawn; the champion serves everything.</summary>
    RolledBack = 3,
}
