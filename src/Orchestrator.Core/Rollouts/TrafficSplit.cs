namespace Orchestrator.Core.Rollouts;

/// <summary>How a serving layer routes a deployment's requests: <see cref="ChallengerPercent"/> of them (by a hash of the
/// request id) to the challenger, the rest to the champion.</summary>
/// <param name="ChampionVersion">The version serving the rest.</param>
/// <param name="ChallengerVersion">The version under rollout; 0 when none.</param>
/// <param name="ChallengerPercent">The challenger's share, 0 to 100.</param>
/// <param name="Phase">Where the rollout stands.</param>
public sealed record TrafficSplit(int ChampionVersion, int ChallengerVersion, int ChallengerPercent, RolloutPhase Phase)
{
    /// <summary>The champion's share.</summary>
    public int ChampionPercent => 100 - ChallengerPercent;
}
