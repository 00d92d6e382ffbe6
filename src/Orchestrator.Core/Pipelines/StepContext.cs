using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Pipelines;

/// <summary>What the run knows when it dispatches a step: its id, its status so far, and the state of any planned step.</summary>
/// <param name="RunId">The run's id, for <c>{{run.id}}</c>.</param>
/// <param name="RunStatus">The run's outcome so far, for <c>{{run.status}}</c> in the exit handler.</param>
/// <param name="StepAt">The state and outputs of the planned step at an index of <see cref="RunPlan.Steps"/>.</param>
public sealed record StepContext(string RunId, string RunStatus, Func<int, StepView> StepAt);

/// <summary>A planned step as the run sees it.</summary>
/// <param name="State">Its state.</param>
/// <param name="Outputs">Its outputs once it succeeded or was cached; null before.</param>
public readonly record struct StepView(StepState State, IReadOnlyList<StepOutput>? Outputs);
