using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Workspaces;

/// <summary>The stored outputs of a finished attempt, or why the attempt fails for its outputs.</summary>
/// <param name="Artifacts">One artifact per declared output, in declaration order; empty on failure.</param>
/// <param name="Failure">Null when every output was stored; else what is wrong and how to fix it.</param>
public sealed record OutputCollection(IReadOnlyList<Artifact> Artifacts, string? Failure)
{
    /// <summary>Every output was stored.</summary>
    public static OutputCollection Succeeded(IReadOnlyList<Artifact> artifacts) => new(artifacts, null);

    /// <summary>An output is missing or not a regular file.</summary>
    public static OutputCollection Failed(string failure) => new([], failure);
}
