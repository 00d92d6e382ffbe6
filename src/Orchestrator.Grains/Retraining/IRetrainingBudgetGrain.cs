using Orchestrator.Core.Retraining;

namespace Orchestrator.Grains.Retraining;

/// <summary>The cluster-wide retraining budget (one grain, key <see cref="RetrainingBudgetGrain.Key"/>): grants retraining
/// runs within the concurrency limits and the rate, keeps the rest in a fair queue, and knows which models have a policy
/// so that it can wake them after a restart.</summary>
public interface IRetrainingBudgetGrain : IGrainWithStringKey
{
    /// <summary>Asks for a retraining run of <paramref name="model"/> (a <c>tenant/model</c> key) paid by <paramref name="tenant"/>.</summary>
    Task<BudgetAnswer> RequestAsync(string model, string tenant);

    /// <summary>The model's run ended, or it no longer wants one: frees its place; the models granted in its stead are told.</summary>
    Task ReleaseAsync(string model);

    /// <summary>Where a model stands.</summary>
    Task<BudgetAnswer> AnswerAsync(string model);

    /// <summary>A model got a policy (true) or lost it (false).</summary>
    Task EnrollAsync(string model, bool enrolled);

    /// <summary>Changes the limits (validated).</summary>
    Task<RetrainingBudgetView> ConfigureAsync(RetrainingBudgetSpec spec, string actor);

    /// <summary>The limits, the models holding the budget and those waiting.</summary>
    Task<RetrainingBudgetView> GetAsync();

    /// <summary>Wakes every enrolled model (after a silo start) and grants whom the rate now allows.</summary>
    Task SweepAsync();
}

/// <summary>A model waiting for the budget.</summary>
[GenerateSerializer]
[Alias("orch.budget-waiting")]
public sealed record BudgetWaiter([property: Id(0)] string Model, [property: Id(1)] string Tenant, [property: Id(2)] DateTimeOffset Since);

/// <summary>The budget as answered.</summary>
[GenerateSerializer]
[Alias("orch.budget-view")]
public sealed record RetrainingBudgetView(
    [property: Id(0)] RetrainingBudgetSpec Spec,
    [property: Id(1)] Dictionary<string, string> Granted,
    [property: Id(2)] List<BudgetWaiter> Waiting,
    [property: Id(3)] int Enrolled,
    [property: Id(4)] long GrantedTotal);

/// <summary>Stored state of the budget: the limits, who holds it, who has a policy. The waiting queue is not stored:
/// after a restart every waiting model asks again (its grain's timer, woken by the sweep).</summary>
[GenerateSerializer]
[Alias("orch.budget-state")]
public sealed class RetrainingBudgetState
{
    /// <summary>The limits; null for the defaults.</summary>
    [Id(0)] public RetrainingBudgetSpec? Spec { get; set; }
    /// <summary>Model → tenant of each model holding the budget.</summary>
    [Id(1)] public Dictionary<string, string> Granted { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Models with a retraining policy.</summary>
    [Id(2)] public HashSet<string> Enrolled { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Grants so far.</summary>
    [Id(3)] public long GrantedTotal { get; set; }
}
