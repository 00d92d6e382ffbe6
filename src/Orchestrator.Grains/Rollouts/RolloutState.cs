using Orchestrator.Core.Rollouts;

namespace Orchestrator.Grains.Rollouts;

/// <summary>Stored state of a deployment's rollout grain.</summary>
[GenerateSerializer]
[Alias("orch.rollout-state")]
public sealed class RolloutState
{
    /// <summary>The latest rollout; idle before the first.</summary>
    [Id(0)] public RolloutProgress Progress { get; set; } = RolloutProgress.Idle;
    /// <summary>The plan set for the deployment; null for the default.</summary>
    [Id(1)] public RolloutPlan? Policy { get; set; }
    /// <summary>Who set the policy last.</summary>
    [Id(2)] public string PolicySetBy { get; set; } = "";
}
