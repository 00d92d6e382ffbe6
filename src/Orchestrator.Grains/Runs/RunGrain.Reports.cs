using Orchestrator.Core.Runs;

namespace Orchestrator.Grains.Runs;

/// <summary>Reports from the scheduler, nodes and agents.</summary>
public sealed partial class RunGrain
{
    /// <inheritdoc />
    public async Task StepPlacedAsync(StepRef step, string node, int[] gpus)
    {
        if (_machine is null) return;
        var transition = _machine.OnPlaced(step.StepKey, step.Attempt, node, gpus, time.GetUtcNow());
        switch (transition.Disposition)
        {
            case TransitionDisposition.Applied:
                await CommitAsync([.. transition.Events]);
                break;
            case TransitionDisposition.Stale:
                // Placed after it was cancelled or superseded: give the GPUs back.
                await Node(node).ReleaseAsync(step, stopProcess: true);
                break;
        }
    }

    /// <inheritdoc />
    public async Task StepStartedAsync(StepRef step, string node)
    {
        if (_machine is null) return;
        var transition = _machine.OnStarted(step.StepKey, step.Attempt, node, time.GetUtcNow());
        switch (transition.Disposition)
        {
            case TransitionDisposition.Applied:
                await CommitAsync([.. transition.Events]);
                break;
            case TransitionDisposition.Stale:
                await Node(node).CancelStepAsync(step, options.Value.CancelGrace, "this attempt is no longer current");
                break;
        }
    }

    /// <inheritdoc />
    public async Task StepFinishedAsync(StepRef step, StepReport report)
    {
        if (_machine is null) return;
        var transition = _machine.OnFinished(step.StepKey, step.Attempt, report.Outcome, report.ExitCode, report.Message,
            report.Outputs, report.Node, time.GetUtcNow());
        switch (transition.Disposition)
        {
            case TransitionDisposition.Applied:
                await CommitAsync([.. transition.Events]);
                await AdvanceAsync();
                break;
            case TransitionDisposition.Stale:
                await Node(report.Node).ReleaseAsync(step, stopProcess: false);
                break;
        }
    }

    /// <inheritdoc />
    public async Task StepLostAsync(StepRef step, string reason)
    {
        if (_machine is null) return;
        var transition = _machine.OnLost(step.StepKey, step.Attempt, reason, time.GetUtcNow());
        if (transition.Disposition != TransitionDisposition.Applied) return;
        await CommitAsync([.. transition.Events]);
        await AdvanceAsync();
    }

    /// <inheritdoc />
    public async Task StepsNotRunningAsync(string node, StepRef[] steps)
    {
        if (_machine is null) return;
        foreach (var stepRef in steps)
        {
            var step = _machine.Find(stepRef.StepKey);
            if (step is null || step.Attempt != stepRef.Attempt || step.Node != node) continue;
            if (step.State == StepState.Placed)
            {
                // The assignment may not have reached the agent: send it again (the agent ignores a repeat).
                await DispatchAsync(step);
            }
            else if (step.State == StepState.Running)
            {
                await StepLostAsync(stepRef, $"the agent on node {node} reconnected without this attempt (it or the server restarted)");
            }
        }
    }

    /// <inheritdoc />
    public async Task CheckAllocationAsync(StepRef step, string node)
    {
        var current = _machine?.Find(step.StepKey);
        var held = current is { State: StepState.Placed or StepState.Running } && current.Attempt == step.Attempt && current.Node == node;
        if (!held) await Node(node).ReleaseAsync(step, stopProcess: true);
    }
}
