using Orchestrator.Core.Retraining;

namespace Orchestrator.Grains.Retraining;

/// <summary>A model's retraining (key <c>tenant/model</c>): its policy, the triggers its monitor's windows and the clock
/// fire, the retraining run it asks the cluster-wide budget for, and what happens when that run ends (gates, promotion).</summary>
public interface IRetrainingGrain : IGrainWithStringKey
{
    /// <summary>Sets (or replaces) the policy, validated; the model must exist and the pipeline must be in the policy's tenant.</summary>
    Task<RetrainingStatus> SetPolicyAsync(RetrainingPolicy policy, string reason, string actor);

    /// <summary>Removes the policy: no more triggers; a run already going runs to its end and is still gated.</summary>
    Task<RetrainingStatus> RemovePolicyAsync(string reason, string actor);

    /// <summary>The policy, where the retraining stands, and the recent retrainings.</summary>
    Task<RetrainingStatus> GetAsync();

    /// <summary>Someone asks for a retraining now (the policy's one-at-a-time rule still holds; the cooldown does not).</summary>
    Task<RetrainingStatus> TriggerAsync(string reason, string actor);

    /// <summary>The monitor of <paramref name="deployment"/> closed windows (one-way: ingestion does not wait on retraining).</summary>
    [OneWay]
    Task OnWindowsAsync(string deployment, List<WindowOutcome> windows);

    /// <summary>The monitor of <paramref name="deployment"/> now compares traffic with <paramref name="version"/>'s
    /// baseline (a new champion): what was measured against the old one no longer counts. One-way.</summary>
    [OneWay]
    Task OnBaselineChangedAsync(string deployment, int version);

    /// <summary>The budget granted this model's retraining: submit its run. One-way: the budget does not wait on the
    /// model, which may call the budget back.</summary>
    [OneWay]
    Task GrantedAsync();

    /// <summary>The retraining run ended (sent by the run, one-way; the grain also checks by itself).</summary>
    [OneWay]
    Task RunFinishedAsync(string runId, bool succeeded);

    /// <summary>Acts on the clock (cron, cooldown end) and reconciles: asks the budget again while waiting, checks the
    /// run while it runs. Called by the grain's timer and, one-way, by the budget's sweep after a restart.</summary>
    [OneWay]
    Task WakeAsync();
}

/// <summary>Where one retraining ended up.</summary>
public enum RetrainingOutcome
{
    /// <summary>Waiting for the budget.</summary>
    Waiting = 1,
    /// <summary>Its run runs.</summary>
    Running,
    /// <summary>Its run succeeded (see the version, gates and promotion fields).</summary>
    Succeeded,
    /// <summary>Its run failed or was canceled.</summary>
    Failed,
    /// <summary>The run could not be submitted (the pipeline is gone, its parameters are refused).</summary>
    Refused,
}

/// <summary>One retraining: what fired it, its run, and what became of the version it registered.</summary>
[GenerateSerializer]
[Alias("orch.retraining-record")]
public sealed record RetrainingRecord
{
    /// <summary>1, 2, 3... per model.</summary>
    [Id(0)] public long Number { get; init; }
    /// <summary>What fired it.</summary>
    [Id(1)] public required RetrainingTrigger Trigger { get; init; }
    /// <summary>Where it stands.</summary>
    [Id(2)] public RetrainingOutcome Outcome { get; set; } = RetrainingOutcome.Waiting;
    /// <summary>Its run, once submitted.</summary>
    [Id(3)] public string RunId { get; set; } = "";
    /// <summary>When the run was submitted.</summary>
    [Id(4)] public DateTimeOffset? SubmittedAt { get; set; }
    /// <summary>When the run ended.</summary>
    [Id(5)] public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>The version the run registered, 0 for none.</summary>
    [Id(6)] public int Version { get; set; }
    /// <summary>Whether that version passed the gates; null before they ran.</summary>
    [Id(7)] public bool? GatesPassed { get; set; }
    /// <summary>Whether it became challenger and its rollout started.</summary>
    [Id(8)] public bool Promoted { get; set; }
    /// <summary>What happened last, in words.</summary>
    [Id(9)] public string Message { get; set; } = "";
}

/// <summary>A model's retraining as answered.</summary>
[GenerateSerializer]
[Alias("orch.retraining-status")]
public sealed record RetrainingStatus
{
    /// <summary>The model's tenant.</summary>
    [Id(0)] public required string Tenant { get; init; }
    /// <summary>The model.</summary>
    [Id(1)] public required string Model { get; init; }
    /// <summary>The policy; null when none is set.</summary>
    [Id(2)] public RetrainingPolicy? Policy { get; init; }
    /// <summary>Policy changes so far.</summary>
    [Id(3)] public int Revision { get; init; }
    /// <summary>Phase, streaks, recorded trigger, cooldown.</summary>
    [Id(4)] public RetrainingState? State { get; init; }
    /// <summary>When the cooldown ends; null when not cooling down.</summary>
    [Id(5)] public DateTimeOffset? CooldownUntil { get; init; }
    /// <summary>The budget's answer while waiting for it (position and why).</summary>
    [Id(6)] public string BudgetStanding { get; init; } = "";
    /// <summary>Recent retrainings, newest first.</summary>
    [Id(7)] public List<RetrainingRecord> History { get; init; } = [];
}

/// <summary>Stored state of a model's retraining.</summary>
[GenerateSerializer]
[Alias("orch.retraining-state")]
public sealed class RetrainingGrainState
{
    /// <summary>The policy; null when none is set.</summary>
    [Id(0)] public RetrainingPolicy? Policy { get; set; }
    /// <summary>Policy changes so far.</summary>
    [Id(1)] public int Revision { get; set; }
    /// <summary>The tracker's state.</summary>
    [Id(2)] public RetrainingState? Tracker { get; set; }
    /// <summary>Retrainings fired so far (numbers the records and makes the run's request id, so that a submission
    /// repeated after a restart lands on the same run).</summary>
    [Id(3)] public long Fired { get; set; }
    /// <summary>Recent retrainings, oldest first, at most <see cref="RetrainingGrain.HistoryLimit"/>.</summary>
    [Id(4)] public List<RetrainingRecord> History { get; set; } = [];
}
