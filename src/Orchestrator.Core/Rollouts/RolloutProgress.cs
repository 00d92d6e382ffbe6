namespace Orchestrator.Core.Rollouts;

/// <summary>A deployment's rollout as stored: the plan, the two versions, the current step and what each version
/// did at it.</summary>
public sealed record RolloutProgress
{
    /// <summary>No rollout.</summary>
    public static RolloutProgress Idle { get; } = new();

    /// <summary>Where the rollout stands.</summary>
    public RolloutPhase Phase { get; init; }

    /// <summary>The plan followed; null when idle.</summary>
    public RolloutPlan? Plan { get; init; }

    /// <summary>The version that was champion when the rollout started.</summary>
    public int Champion { get; init; }

    /// <summary>The version rolled out.</summary>
    public int Challenger { get; init; }

    /// <summary>Index of the current step in the plan.</summary>
    public int Step { get; init; }

    /// <summary>When the rollout started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the current step started.</summary>
    public DateTimeOffset StepSince { get; init; }

    /// <summary>When the rollout completed or was rolled back.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The champion's traffic and metrics at the current step.</summary>
    public VersionTotals ChampionAtStep { get; init; } = VersionTotals.Empty;

    /// <summary>The challenger's traffic and metrics at the current step.</summary>
    public VersionTotals ChallengerAtStep { get; init; } = VersionTotals.Empty;

    /// <summary>The champion's traffic and metrics over the whole rollout: the reference when the step gave it too few
    /// labels (at 100% it serves nothing).</summary>
    public VersionTotals ChampionOverall { get; init; } = VersionTotals.Empty;

    /// <summary>Why the rollout last changed (an advance, the completion, a rollback), in words.</summary>
    public string Reason { get; init; } = "";

    /// <summary>The current step; null unless progressing.</summary>
    public RolloutStep? CurrentStep => Phase == RolloutPhase.Progressing && Plan is { } plan ? plan.Steps[Step] : null;

    /// <summary>How traffic is split now; <paramref name="champion"/> is the model's champion, used while idle.</summary>
    public TrafficSplit Split(int champion) => Phase switch
    {
        RolloutPhase.Progressing => new TrafficSplit(Champion, Challenger, Plan!.Steps[Step].Percent, Phase),
        _ => new TrafficSplit(champion, 0, 0, Phase),
    };
}
