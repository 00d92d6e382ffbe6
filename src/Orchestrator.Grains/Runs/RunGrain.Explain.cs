using Microsoft.Extensions.Logging;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;

namespace Orchestrator.Grains.Runs;

/// <summary>What `orch run why` asks of a run.</summary>
public sealed partial class RunGrain
{
    /// <inheritdoc />
    public Task<List<StepWaiting>> GetWaitingAsync(string? step)
    {
        var machine = Machine;
        var steps = step is null
            ? machine.Steps.Where(s => s.State is StepState.Waiting or StepState.Ready or StepState.Placed or StepState.Running)
            : machine.Steps.Where(s => s.Key == step || s.Plan.Name == step);
        return Task.FromResult(steps.Select(s => new StepWaiting(new StepRef(RunId, s.Key, s.Attempt), s.State, PoolsOf(s))).ToList());
    }

    /// <summary>The pools a step may use: those its <c>resources.pools</c> names, else the default pool.</summary>
    private static List<string> PoolsOf(StepRuntime step) =>
        step.Plan.Definition.Pools is { Count: > 0 } pools ? [.. pools] : [SchedulingConfig.DefaultPool];
}
