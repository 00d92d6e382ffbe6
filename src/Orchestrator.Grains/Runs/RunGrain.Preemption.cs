using Microsoft.Extensions.Logging;
using Orchestrator.Core.Runs;

namespace Orchestrator.Grains.Runs;

/// <summary>Preemption ordered by a pool's scheduler.</summary>
public sealed partial class RunGrain
{
    /// <inheritdoc />
    public async Task PreemptAsync(StepRef step, string node, TimeSpan grace, string reason)
    {
        if (_machine is null)
        {
            await Node(node).ReleaseAsync([step], stopProcess: true);
            return;
        }

        var stopOnNodes = new List<(StepRef Process, string Node)>();
        var disposition = TransitionDisposition.Duplicate;
        await Transact(() =>
        {
            var transition = Machine.OnPreemptOrdered(step.StepKey, step.Attempt, reason, time.GetUtcNow(), grace);
            disposition = transition.Disposition;
            if (disposition != TransitionDisposition.Applied) return Task.CompletedTask;
            var current = Machine.Find(step.StepKey)!;
            if (current.State == StepState.Running) stopOnNodes.AddRange(Processes(current));
            Stage(transition.Events);
            // A placed attempt ended at once: queue its next attempt.
            return AdvanceAsync();
        });

        if (disposition != TransitionDisposition.Applied)
        {
            // Not (or no longer) this run's attempt on that node: the allocation is stale, give it back.
            await CheckAllocationAsync(step, node);
            return;
        }

        logger.LogInformation("Run {RunId}: step {Step} preempted on node {Node}: {Reason}", RunId, step, node, reason);
        // Durable first, then acted on: the agent sends SIGTERM, SIGKILL after the grace, and reports the end.
        await Task.WhenAll(stopOnNodes.Select(p => Node(p.Node).CancelStepAsync(p.Process, grace, reason)));
    }
}
