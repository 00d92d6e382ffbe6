using Orchestrator.Core.Runs;

namespace Orchestrator.Grains.Runs;

/// <summary>Reports from the scheduler, nodes and agents. Each call handles a batch and persists it in one journal
/// append: a run with thousands of steps placed at once commits them together, not one fsync after another.</summary>
public sealed partial class RunGrain
{
    /// <inheritdoc />
    public Task StepsPlacedAsync(string node, List<PlacedStep> placements)
    {
        // A run that does not exist (a stale queue entry) holds nothing: give the GPUs back.
        if (_machine is null) return ReleaseStaleAsync(node, placements);
        return Transact(async () =>
        {
            var stale = new List<PlacedStep>();
            foreach (var placement in placements)
            {
                var replicas = placement.Replicas is { Count: > 0 } gang ? gang : [new ReplicaSlot(0, node, placement.Gpus)];
                var transition = Machine.OnPlaced(placement.Step.StepKey, placement.Step.Attempt, replicas, time.GetUtcNow());
                if (transition.Disposition == TransitionDisposition.Applied) Stage(transition.Events);
                else if (transition.Disposition == TransitionDisposition.Stale) stale.Add(placement);
            }

            // Placed after it was cancelled or superseded: give the GPUs back.
            if (stale.Count > 0) await ReleaseStaleAsync(node, stale);
        });
    }

    /// <summary>Gives back placements no attempt of this run wants: every process of a gang, on its own node.</summary>
    private Task ReleaseStaleAsync(string node, IEnumerable<PlacedStep> placements) => Task.WhenAll(placements
        .SelectMany(p => p.Replicas is { Count: > 0 } gang
            ? gang.Select(s => (s.Node, Process: p.Step with { Replica = s.Replica }))
            : [(Node: node, Process: p.Step)])
        .GroupBy(x => x.Node, StringComparer.Ordinal)
        .Select(g => Node(g.Key).ReleaseAsync([.. g.Select(x => x.Process)], stopProcess: true)));

    /// <inheritdoc />
    public Task ReportAsync(List<AgentReport> reports)
    {
        if (_machine is null) return Task.CompletedTask;
        return Transact(async () =>
        {
            foreach (var report in reports)
            {
                var now = time.GetUtcNow();
                var step = report.Step;
                if (report.Finished is not { } finished)
                {
                    var started = Machine.OnStarted(step.StepKey, step.Attempt, report.Node, now);
                    if (started.Disposition == TransitionDisposition.Applied) Stage(started.Events);
                    else if (started.Disposition == TransitionDisposition.Stale)
                        _effects.Add(() => Node(report.Node).CancelStepAsync(step, options.Value.CancelGrace, "this attempt is no longer current"));
                    continue;
                }

                var ended = Machine.OnFinished(step.StepKey, step.Attempt, finished.Outcome, finished.ExitCode, finished.Message,
                    finished.Outputs, report.Node, now, step.Replica);
                if (ended.Disposition == TransitionDisposition.Applied) Stage(ended.Events);
                else if (ended.Disposition == TransitionDisposition.Stale)
                    Release(report.Node, step, stopProcess: false);
            }

            await AdvanceAsync();
        });
    }

    /// <inheritdoc />
    public Task StepStartedAsync(StepRef step, string node) => ReportAsync([new AgentReport(step, node, null)]);

    /// <inheritdoc />
    public Task StepFinishedAsync(StepRef step, StepReport report) => ReportAsync([new AgentReport(step, report.Node, report)]);

    /// <inheritdoc />
    public Task StepLostAsync(StepRef step, string reason)
    {
        if (_machine is null) return Task.CompletedTask;
        return Transact(() =>
        {
            var transition = Machine.OnLost(step.StepKey, step.Attempt, reason, time.GetUtcNow());
            if (transition.Disposition != TransitionDisposition.Applied) return Task.CompletedTask;
            Stage(transition.Events);
            return AdvanceAsync();
        });
    }

    /// <inheritdoc />
    public async Task StepsNotRunningAsync(string node, StepRef[] steps)
    {
        if (_machine is null) return;
        var lost = new List<StepRef>();
        var resend = new List<StepRuntime>();
        var processes = new HashSet<StepRef>();
        foreach (var stepRef in steps)
        {
            var step = Machine.Find(stepRef.StepKey);
            if (step is null || step.Attempt != stepRef.Attempt || !RunsOn(step, stepRef.Replica, node)) continue;
            // Placed: the assignment may not have reached the agent, send it again (a repeat is ignored).
            // Running: the agent no longer runs it (a gang's process that already ended well is not missed).
            if (step.State == StepState.Placed)
            {
                if (processes.Add(stepRef) && !resend.Contains(step)) resend.Add(step);
            }
            else if (step.State == StepState.Running && !step.SucceededReplicas.Contains(stepRef.Replica)) lost.Add(stepRef);
        }

        if (resend.Count > 0) await DispatchAsync(resend, processes);

        if (lost.Count == 0) return;
        await Transact(() =>
        {
            foreach (var stepRef in lost)
            {
                var transition = Machine.OnLost(stepRef.StepKey, stepRef.Attempt,
                    $"the agent on node {node} reconnected without this attempt (it or the server restarted)", time.GetUtcNow());
                if (transition.Disposition == TransitionDisposition.Applied) Stage(transition.Events);
            }

            return AdvanceAsync();
        });
    }

    /// <inheritdoc />
    public async Task CheckAllocationAsync(StepRef step, string node)
    {
        var current = _machine?.Find(step.StepKey);
        var held = current is { State: StepState.Placed or StepState.Running } && current.Attempt == step.Attempt && RunsOn(current, step.Replica, node);
        if (!held) await Node(node).ReleaseAsync([step], stopProcess: true);
    }

    /// <summary>The current attempt has process <paramref name="replica"/> on <paramref name="node"/>.</summary>
    private static bool RunsOn(StepRuntime step, int replica, string node) =>
        step.Replicas.Any(s => s.Replica == replica && s.Node == node);
}
