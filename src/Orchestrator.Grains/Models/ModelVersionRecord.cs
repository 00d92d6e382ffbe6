using Orchestrator.Core.Models;
using Orchestrator.Core.Models.Gates;

namespace Orchestrator.Grains.Models;

/// <summary>One stored version of a model.</summary>
[GenerateSerializer]
[Alias("orch.model-version")]
public sealed record ModelVersionRecord
{
    /// <summary>1, 2, 3...</summary>
    [Id(0)] public required int Version { get; init; }
    /// <summary>What was registered, validated and normalized.</summary>
    [Id(1)] public required ModelVersionSpec Spec { get; init; }
    /// <summary>sha256 of the spec's canonical form (to recognise a retried registration).</summary>
    [Id(2)] public required string ContentDigest { get; init; }
    /// <summary>When it was registered.</summary>
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Who registered it.</summary>
    [Id(4)] public string CreatedBy { get; init; } = "";
    /// <summary>The request id it was registered with, or empty.</summary>
    [Id(5)] public string RequestId { get; init; } = "";
    /// <summary>The latest check against the model's gates, or null when it was never checked.</summary>
    [Id(6)] public GateEvaluation? GateEvaluation { get; init; }
}

/// <summary>A version as answered: the record, the model it belongs to and the aliases pointing at it now.</summary>
[GenerateSerializer]
[Alias("orch.model-version-view")]
public sealed record ModelVersionView(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Name,
    [property: Id(2)] ModelVersionRecord Record,
    [property: Id(3)] IReadOnlyList<string> Aliases);

/// <summary>The answer to <see cref="IModelGrain.RegisterVersionAsync"/>.</summary>
[GenerateSerializer]
[Alias("orch.model-register-result")]
public sealed record RegisterResult([property: Id(0)] ModelVersionView Version, [property: Id(1)] bool AlreadyExisted);

/// <summary>A page of versions.</summary>
[GenerateSerializer]
[Alias("orch.model-version-page")]
public sealed record ModelVersionPage([property: Id(0)] IReadOnlyList<ModelVersionView> Versions, [property: Id(1)] int NextBefore);

/// <summary>Two versions compared.</summary>
[GenerateSerializer]
[Alias("orch.model-comparison")]
public sealed record ModelComparisonResult(
    [property: Id(0)] ModelVersionView A,
    [property: Id(1)] ModelVersionView B,
    [property: Id(2)] ModelComparison Comparison);

/// <summary>What an alias change did.</summary>
[GenerateSerializer]
[Alias("orch.model-alias-change")]
public sealed record AliasChangeResult(
    [property: Id(0)] string Alias,
    [property: Id(1)] int Version,
    [property: Id(2)] int PreviousVersion,
    [property: Id(3)] bool Changed);

/// <summary>A model in full: aliases and every version, newest first.</summary>
[GenerateSerializer]
[Alias("orch.model")]
public sealed record ModelRecord(
    [property: Id(0)] string Tenant,
    [property: Id(1)] string Name,
    [property: Id(2)] IReadOnlyDictionary<string, int> Aliases,
    [property: Id(3)] IReadOnlyList<ModelVersionView> Versions,
    [property: Id(4)] DateTimeOffset UpdatedAt);
