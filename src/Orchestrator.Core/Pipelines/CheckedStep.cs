namespace Orchestrator.Core.Pipelines;

/// <summary>A checked step and the steps it depends on, each with the field that made it a dependency.</summary>
/// <param name="Definition">The step, with <see cref="StepDefinition.DependsOn"/> still empty.</param>
/// <param name="Dependencies">Producer step names with the field (after, an input, when) that reads them.</param>
internal sealed record CheckedStep(StepDefinition Definition, IReadOnlyList<(string Step, string Field)> Dependencies);
