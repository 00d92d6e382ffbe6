using System.Collections.Concurrent;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Grains.Pipelines;

/// <summary>Validated pipelines by digest, shared by every grain of the silo: versions are immutable, so a run
/// submission or activation need not validate the same spec again.</summary>
public sealed class PipelineDefinitionCache
{
    private const int Capacity = 1024;
    private readonly ConcurrentDictionary<string, PipelineDefinition> _byDigest = new(StringComparer.Ordinal);

    /// <summary>Validates a spec (or finds it validated), turning validation errors into INVALID_ARGUMENT.</summary>
    public PipelineDefinition Validate(PipelineSpec spec)
    {
        PipelineDefinition definition;
        try
        {
            definition = PipelineValidator.Validate(spec);
        }
        catch (ValidationException e)
        {
            throw OrchestratorException.From(e);
        }

        if (_byDigest.Count >= Capacity) _byDigest.Clear();
        return _byDigest.GetOrAdd(definition.Digest, definition);
    }

    /// <summary>The definition of a stored version: from the cache, or validated again.</summary>
    public PipelineDefinition Get(string digest, PipelineSpec spec) =>
        _byDigest.TryGetValue(digest, out var definition) ? definition : Validate(spec);
}
