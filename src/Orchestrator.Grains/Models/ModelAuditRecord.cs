namespace Orchestrator.Grains.Models;

/// <summary>What kind of change an audit entry records.</summary>
public enum ModelAuditAction
{
    /// <summary>A version was registered.</summary>
    VersionRegistered = 1,
    /// <summary>An alias that did not exist was set.</summary>
    AliasSet = 2,
    /// <summary>An alias moved from one version to another.</summary>
    AliasMoved = 3,
    /// <summary>An alias was removed.</summary>
    AliasRemoved = 4,
    /// <summary>The gate list was set.</summary>
    GatesSet = 5,
    /// <summary>A version passed every gate.</summary>
    GatesPassed = 6,
    /// <summary>A version failed at least one gate.</summary>
    GatesFailed = 7,
    /// <summary>A retraining trigger fired (a run was asked for, or the trigger was recorded while one ran).</summary>
    RetrainingTriggered = 8,
    /// <summary>A retraining run was submitted (the budget granted it).</summary>
    RetrainingStarted = 9,
    /// <summary>A retraining run ended.</summary>
    RetrainingFinished = 10,
    /// <summary>A challenger's rollout started.</summary>
    RolloutStarted = 11,
    /// <summary>A rollout moved to its next traffic step.</summary>
    RolloutAdvanced = 12,
    /// <summary>A rollout was rolled back (by itself on a regression, or by someone).</summary>
    RolloutRolledBack = 13,
    /// <summary>A rollout reached 100% and its challenger became champion.</summary>
    RolloutCompleted = 14,
    /// <summary>The retraining policy was set or removed.</summary>
    RetrainingPolicySet = 15,
}

/// <summary>One change to a model: who, when, what, why.</summary>
[GenerateSerializer]
[Alias("orch.model-audit")]
public sealed record ModelAuditRecord
{
    /// <summary>1, 2, 3... per model.</summary>
    [Id(0)] public required long Sequence { get; init; }
    /// <summary>When.</summary>
    [Id(1)] public required DateTimeOffset At { get; init; }
    /// <summary>Who.</summary>
    [Id(2)] public required string Actor { get; init; }
    /// <summary>What kind of change.</summary>
    [Id(3)] public required ModelAuditAction Action { get; init; }
    /// <summary>The version registered or now aliased; 0 when an alias was removed.</summary>
    [Id(4)] public int Version { get; init; }
    /// <summary>The alias, for alias changes.</summary>
    [Id(5)] public string Alias { get; init; } = "";
    /// <summary>The version the alias named before.</summary>
    [Id(6)] public int PreviousVersion { get; init; }
    /// <summary>Why, as the caller said.</summary>
    [Id(7)] public string Reason { get; init; } = "";
    /// <summary>More about the change where the fields above do not say it (gate counts, the revision).</summary>
    [Id(8)] public string Detail { get; init; } = "";

    /// <summary>The change in words.</summary>
    public string Summary => Action switch
    {
        ModelAuditAction.VersionRegistered => $"version {Version} registered",
        ModelAuditAction.AliasSet => $"alias {Alias} set to version {Version}",
        ModelAuditAction.AliasMoved => $"alias {Alias} moved from version {PreviousVersion} to {Version}",
        ModelAuditAction.AliasRemoved => $"alias {Alias} removed (was version {PreviousVersion})",
        ModelAuditAction.GatesSet => $"gates set: {Detail}",
        ModelAuditAction.GatesPassed => $"version {Version} passed the gates ({Detail})",
        ModelAuditAction.GatesFailed => $"version {Version} failed the gates ({Detail})",
        ModelAuditAction.RetrainingTriggered => $"retraining triggered: {Detail}",
        ModelAuditAction.RetrainingStarted => $"retraining run started: {Detail}",
        ModelAuditAction.RetrainingFinished => $"retraining run finished: {Detail}",
        ModelAuditAction.RolloutStarted => $"rollout of version {Version} started: {Detail}",
        ModelAuditAction.RolloutAdvanced => $"rollout of version {Version} advanced: {Detail}",
        ModelAuditAction.RolloutRolledBack => $"rollout of version {Version} rolled back: {Detail}",
        ModelAuditAction.RetrainingPolicySet => $"retraining policy {Detail}",
        _ => $"rollout of version {Version} completed: {Detail}",
    };
}

/// <summary>A page of the audit trail.</summary>
[GenerateSerializer]
[Alias("orch.model-audit-page")]
public sealed record ModelAuditPage([property: Id(0)] IReadOnlyList<ModelAuditRecord> Entries, [property: Id(1)] long NextBefore);
