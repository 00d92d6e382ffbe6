using Orchestrator.Core.Pipelines;

namespace Orchestrator.Grains.Pipelines;

/// <summary>One pipeline (key <c>tenant/name</c>): its immutable, content-addressed versions.</summary>
public interface IPipelineGrain : IGrainWithStringKey
{
    /// <summary>Validates the spec and stores it as a new version, or returns the existing version with the same digest.</summary>
    Task<CreateVersionResult> CreateVersionAsync(PipelineSpec spec, string description, string actor);

    /// <summary>One version: <c>latest</c>, a number, or a digest (prefix of at least 8 characters).</summary>
    Task<PipelineVersionRecord> GetVersionAsync(string version);

    /// <summary>Every version, newest first.</summary>
    Task<IReadOnlyList<PipelineVersionRecord>> ListVersionsAsync();

    /// <summary>Deletes the pipeline; refused while runs of it are active. Returns how many versions were deleted.</summary>
    Task<int> DeleteAsync(string actor);
}

/// <summary>One stored version of a pipeline.</summary>
[GenerateSerializer]
[Alias("orch.pipeline-version")]
public sealed record PipelineVersionRecord
{
    /// <summary>Owning tenant.</summary>
    [Id(0)] public required string Tenant { get; init; }
    /// <summary>Pipeline name.</summary>
    [Id(1)] public required string Name { get; init; }
    /// <summary>1, 2, 3...</summary>
    [Id(2)] public required int Version { get; init; }
    /// <summary>sha256 of the canonical spec.</summary>
    [Id(3)] public required string Digest { get; init; }
    /// <summary>The spec.</summary>
    [Id(4)] public required PipelineSpec Spec { get; init; }
    /// <summary>When it was created.</summary>
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Who created it.</summary>
    [Id(6)] public string CreatedBy { get; init; } = "";
    /// <summary>Free text for this version.</summary>
    [Id(7)] public string Description { get; init; } = "";
}

/// <summary>The answer to <see cref="IPipelineGrain.CreateVersionAsync"/>.</summary>
[GenerateSerializer]
[Alias("orch.create-version-result")]
public sealed record CreateVersionResult([property: Id(0)] PipelineVersionRecord Version, [property: Id(1)] bool AlreadyExisted);

/// <summary>Stored state of a pipeline grain.</summary>
[GenerateSerializer]
[Alias("orch.pipeline-state")]
public sealed class PipelineState
{
    /// <summary>Versions, oldest first.</summary>
    [Id(0)] public List<PipelineVersionRecord> Versions { get; set; } = [];
}
