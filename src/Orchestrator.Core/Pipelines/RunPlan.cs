namespace Orchestrator.Core.Pipelines;

/// <summary>A pipeline expanded for one run: parameters bound, fan-outs expanded into one step per item, dependencies as indices.</summary>
/// <param name="Definition">The validated pipeline.</param>
/// <param name="Parameters">Every parameter's canonical value (defaults applied).</param>
/// <param name="Steps">Planned steps in topological order; the exit handler, if any, is last.</param>
public sealed record RunPlan(
    PipelineDefinition Definition,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<PlannedStep> Steps)
{
    /// <summary>Index of the exit handler in <see cref="Steps"/>, or -1.</summary>
    public int ExitHandlerIndex => Steps.Count > 0 && Steps[^1].Definition.IsExitHandler ? Steps.Count - 1 : -1;
}

/// <summary>One schedulable unit of a run.</summary>
/// <param name="Key">Unique key: the step name, or <c>NAME[i]</c> for fan-out item i.</param>
/// <param name="Definition">The step it was planned from (shared by all items of a fan-out).</param>
/// <param name="Index">Fan-out index, or -1.</param>
/// <param name="Item">The fan-out item's canonical text, or null.</param>
/// <param name="Upstream">Indices (into <see cref="RunPlan.Steps"/>) of the steps it waits for.</param>
/// <param name="Downstream">Indices of the steps that wait for it.</param>
public sealed record PlannedStep(
    string Key,
    StepDefinition Definition,
    int Index,
    string? Item,
    IReadOnlyList<int> Upstream,
    IReadOnlyList<int> Downstream)
{
    /// <summary>The step's name in the spec.</summary>
    public string Name => Definition.Name;
}
