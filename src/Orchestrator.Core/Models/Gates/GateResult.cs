namespace Orchestrator.Core.Models.Gates;

/// <summary>What one gate found on one version.</summary>
public sealed record GateResult
{
    /// <summary>The gate's display name.</summary>
    public required string Gate { get; init; }

    /// <summary>What the gate checks.</summary>
    public required GateKind Kind { get; init; }

    /// <summary>True when the version passed the gate.</summary>
    public required bool Passed { get; init; }

    /// <summary>What was measured on the version (the metric, the gap, the size); null when it could not be (a metric missing).</summary>
    public double? Value { get; init; }

    /// <summary>The bound the value was held to (the threshold, the champion's value plus the margin, the gap, the size); null when there was none.</summary>
    public double? Bound { get; init; }

    /// <summary>How the value must relate to the bound: <c>&gt;=</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&lt;</c>, <c>=</c>, <c>!=</c>.</summary>
    public string Comparison { get; init; } = "";

    /// <summary>What happened, in words a user can act on.</summary>
    public required string Message { get; init; }
}

/// <summary>A version checked against a model's gates: one result per gate, and whether all passed.</summary>
public sealed record GateEvaluation
{
    /// <summary>The version checked.</summary>
    public required int Version { get; init; }

    /// <summary>True when every gate passed (also when the model has no gates).</summary>
    public required bool Passed { get; init; }

    /// <summary>One result per gate, in the gates' order.</summary>
    public required IReadOnlyList<GateResult> Results { get; init; }

    /// <summary>When it was checked.</summary>
    public DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>The revision of the model's gate list it was checked against (0: no gates ever set).</summary>
    public int GatesRevision { get; init; }

    /// <summary>The version <c>champion</c> named then; 0 when there was none.</summary>
    public int ChampionVersion { get; init; }
}

/// <summary>A version as the gates see it: its number and what it holds.</summary>
/// <param name="Version">The version number.</param>
/// <param name="Spec">The registered spec.</param>
public sealed record GateSubject(int Version, ModelVersionSpec Spec);
