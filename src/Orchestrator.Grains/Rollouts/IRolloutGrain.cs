using Orchestrator.Core.Rollouts;

namespace Orchestrator.Grains.Rollouts;

/// <summary>The progressive rollout of one model deployment (key <c>tenant/model/deployment</c>, see
/// <see cref="Core.Models.ModelDeployments.Key"/>): the challenger's traffic share, advanced by bake time and
/// observations, rolled back by guards; every change is an audit entry on the model.</summary>
public interface IRolloutGrain : IGrainWithStringKey
{
    /// <summary>Starts rolling out <paramref name="challengerVersion"/> against the model's champion with
    /// <paramref name="plan"/> (null: the deployment's policy, or <see cref="RolloutPlan.Default"/>), and points the
    /// model's <c>challenger</c> alias at it.</summary>
    Task<RolloutProgress> StartAsync(int challengerVersion, RolloutPlan? plan, string reason, string actor);

    /// <summary>Takes one closed monitoring window's per-version stats; may advance, complete or roll back.</summary>
    Task<RolloutProgress> ObserveAsync(RolloutObservation observation);

    /// <summary>Moves to the next step now (completes at the last one), whatever the step's hold.</summary>
    Task<RolloutProgress> AdvanceAsync(string reason, string actor);

    /// <summary>Withdraws the challenger now.</summary>
    Task<RolloutProgress> RollBackAsync(string reason, string actor);

    /// <summary>The rollout: idle before the first one, then the latest one.</summary>
    Task<RolloutProgress> GetAsync();

    /// <summary>How a serving layer routes the deployment's requests now.</summary>
    Task<TrafficSplit> GetTrafficSplitAsync();

    /// <summary>Sets the plan a rollout started without one follows (validated).</summary>
    Task<RolloutPlan> SetPolicyAsync(RolloutPlan plan, string reason, string actor);

    /// <summary>Wakes the grain (after a restart) so that its bake timer runs and a due step advances. One-way.</summary>
    [OneWay]
    Task WakeAsync();

    /// <summary>The deployment's plan: the one set, or <see cref="RolloutPlan.Default"/>.</summary>
    Task<RolloutPlan> GetPolicyAsync();
}
