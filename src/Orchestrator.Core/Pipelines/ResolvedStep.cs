using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Pipelines;

/// <summary>A step ready for an executor: parameters, item and run fields substituted; <c>{{inputs.X}}</c> and <c>{{outputs.X}}</c> left for the agent.</summary>
/// <param name="Key">The planned step's key, e.g. <c>train[2]</c>.</param>
/// <param name="Command">argv.</param>
/// <param name="Image">Container image, may be empty.</param>
/// <param name="Env">Environment variables.</param>
/// <param name="Inputs">Inputs, sorted by name.</param>
/// <param name="Outputs">Declared output names.</param>
/// <param name="Resources">What it needs from a node.</param>
/// <param name="Timeout">Per-attempt limit, or null.</param>
/// <param name="CacheKey">Its cache key, or null when caching is off for it.</param>
public sealed record ResolvedStep(
    string Key,
    IReadOnlyList<string> Command,
    string Image,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyList<ResolvedInput> Inputs,
    IReadOnlyList<string> Outputs,
    ResourceRequest Resources,
    TimeSpan? Timeout,
    string? CacheKey)
{
    /// <summary>For a register step, what to register; null for a step that runs a process.</summary>
    public ResolvedRegistration? Registration { get; init; }
}

/// <summary>One input, delivered to the step as a file: exactly one of the three sources is set.</summary>
/// <param name="Name">Input name.</param>
/// <param name="Value">Text content, when the input is a template over parameters and literal text.</param>
/// <param name="Artifact">The upstream output, when it comes from a single step.</param>
/// <param name="Collected">Every item's output in index order, when it comes from a fan-out step.</param>
public sealed record ResolvedInput(string Name, string? Value, StepOutput? Artifact, IReadOnlyList<StepOutput>? Collected);
