namespace Orchestrator.Core.Models;

/// <summary>What a model version holds, as registered: exactly the fields of the proto message, not yet trusted.</summary>
/// <remarks><see cref="ModelVersionValidator"/> checks it and returns it normalized (digests without prefix, lowercase).</remarks>
public sealed record ModelVersionSpec
{
    /// <summary>The trained model's file.</summary>
    public ModelArtifact Artifact { get; init; } = new();

    /// <summary>Where it was trained.</summary>
    public ModelSource Source { get; init; } = new();

    /// <summary>Training parameters as text.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Evaluation metrics by name.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>sha256 of the training data, or empty.</summary>
    public string TrainingDataDigest { get; init; } = "";

    /// <summary>Free tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The features' reference distribution.</summary>
    public BaselineProfile Profile { get; init; } = new();

    /// <summary>Free text.</summary>
    public string Description { get; init; } = "";
}

/// <summary>A model's file: content digest, size and where to fetch it.</summary>
public sealed record ModelArtifact
{
    /// <summary>sha256, 64 lowercase hex characters once validated.</summary>
    public string Digest { get; init; } = "";

    /// <summary>Size in bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>An artifact store path or URL, or empty.</summary>
    public string Uri { get; init; } = "";
}

/// <summary>The lineage of a version: the run, step and pipeline version that produced it.</summary>
public sealed record ModelSource
{
    /// <summary>The run that trained it, or empty.</summary>
    public string RunId { get; init; } = "";

    /// <summary>The step of that run that wrote the artifact.</summary>
    public string StepKey { get; init; } = "";

    /// <summary>The pipeline the run was of.</summary>
    public string Pipeline { get; init; } = "";

    /// <summary>That pipeline's version; 0 when unknown.</summary>
    public int PipelineVersion { get; init; }
}
