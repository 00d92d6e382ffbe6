using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Runs;

/// <summary>Everything a run was submitted with. Written once; with the spec inside, a run can be rebuilt and shown
/// even after its pipeline is deleted.</summary>
public sealed record RunDefinition
{
    /// <summary>Run id.</summary>
    public required string Id { get; init; }
    /// <summary>Owning tenant.</summary>
    public required string Tenant { get; init; }
    /// <summary>Pipeline name.</summary>
    public required string Pipeline { get; init; }
    /// <summary>Pipeline version number.</summary>
    public required int PipelineVersion { get; init; }
    /// <summary>Pipeline version digest.</summary>
    public required string PipelineDigest { get; init; }
    /// <summary>The pipeline spec of that version.</summary>
    public required PipelineSpec Spec { get; init; }
    /// <summary>Parameter values as given (canonical text).</summary>
    public IReadOnlyDictionary<string, string> Arguments { get; init; } = new Dictionary<string, string>();
    /// <summary>Scheduling priority.</summary>
    public int Priority { get; init; }
    /// <summary>User labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Client idempotency key.</summary>
    public string RequestId { get; init; } = "";
    /// <summary>Who submitted it.</summary>
    public string SubmittedBy { get; init; } = "";
    /// <summary>Step cache off for this run.</summary>
    public bool CacheDisabled { get; init; }
    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Stepwise (the default) or whole-run admission.</summary>
    public AdmissionMode Admission { get; init; } = AdmissionMode.Stepwise;
}
