using Microsoft.Extensions.Logging;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Metrics;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Grains.Scheduling;

/// <summary>One placement pass: the core decides, each node confirms its part, runs learn where their steps go.</summary>
public sealed partial class SchedulerGrain
{
    /// <summary>Decides, then hands each node its part without waiting for the answers: a node's durable allocation
    /// takes a disk flush, and a scheduler that waited for it held back every enqueue, release and next pass behind it
    /// (the tail of ready -> placed latency). The core counts the placements as running at once, so a pass that starts
    /// while answers are outstanding cannot give their GPUs away again; each answer is applied in its own turn.</summary>
    private async Task PassAsync()
    {
        var result = _core.Schedule();
        await OnPassAdmittedAsync(result.AdmittedRuns);
        ScheduleWakeUp(result.NextWakeUp);
        foreach (var order in result.Preemptions) Preempt(order);
        _confirmations.RemoveAll(t => t.IsCompleted);
        if (result.Placements.Count == 0)
        {
            PublishMetrics();
            return;
        }

        foreach (var gang in result.Placements.Where(p => p.Replicas.Count > 1))
        {
            _confirming.Add(gang.Job.Id);
            _confirmations.Add(ConfirmGangAsync(gang, _queued[gang.Job.Id]));
        }

        foreach (var group in result.Placements.Where(p => p.Replicas.Count == 1).GroupBy(p => p.Replicas[0].Node, StringComparer.Ordinal))
        {
            var placements = group.Select(p => (Placement: p, Pending: _queued[p.Job.Id])).ToList();
            foreach (var (placement, _) in placements) _confirming.Add(placement.Job.Id);
            _confirmations.Add(ConfirmAsync(group.Key, placements));
        }

        PublishMetrics();
    }

    /// <summary>Asks one node to hold its placements durably, then tells the runs of those it accepted; refused ones
    /// go back to the queue unless their run let go of them meanwhile. Never throws: it runs outside any request.</summary>
    private async Task ConfirmAsync(string node, List<(GangPlacement Placement, PendingStep Pending)> placements)
    {
        AllocationResult? answer = null;
        try
        {
            var requests = placements.Select(p => new AllocationRequest(p.Pending.Step, p.Placement.Job.Shape.PerReplica,
                [.. p.Placement.Replicas[0].GpuIndices], SchedulingJobs.ToAllocationJob(Pool, p.Placement.Job))).ToList();
            answer = await GrainFactory.GetGrain<IGpuNodeGrain>(node).AllocateAsync(requests);
        }
        catch (Exception e)
        {
            LogNodeFailed(e, Pool, node, placements.Count);
        }

        try
        {
            var requeued = ApplyAnswer(node, placements, answer);
            if (answer is null || answer.Rejected.Count > 0)
            {
                // Learn the node's truth, then let the refused ones try again against it.
                Apply(await GrainFactory.GetGrain<IGpuNodeGrain>(node).GetPoolReportAsync());
                if (requeued) RequestPass();
            }
        }
        catch (Exception e)
        {
            LogNodeFailed(e, Pool, node, 0);
        }
        finally
        {
            PublishMetrics();
        }
    }

    /// <summary>Applies a node's answer; true when some refused placement went back to the queue.</summary>
    private bool ApplyAnswer(string node, List<(GangPlacement Placement, PendingStep Pending)> placements, AllocationResult? answer)
    {
        var accepted = answer?.Accepted.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal) ?? [];
        if (answer is not null && (!_nodeVersions.TryGetValue(node, out var known) || known < answer.Capacity.Version))
            _nodeVersions[node] = answer.Capacity.Version;
        var placed = 0;
        var requeued = false;
        var byRun = new Dictionary<string, List<PlacedStep>>(StringComparer.Ordinal);
        foreach (var (placement, pending) in placements)
        {
            var step = pending.Step;
            var id = placement.Job.Id;
            _confirming.Remove(id);
            // Still queued here unless its run took it back (cancelled) while the node was answering.
            var wanted = _queued.Remove(id);
            if (!accepted.Contains(id))
            {
                // The node's state is the authority: undo in the core and queue again (the caller then learns the
                // node's truth).
                _core.Release(id, completed: false);
                if (wanted && _core.Enqueue(placement.Job))
                {
                    _queued[id] = pending;
                    requeued = true;
                }

                continue;
            }

            // Held on the node even if no longer wanted: the run learns of it and gives it back as stale.
            _running[id] = (step, [node]);
            placed++;
            if (!byRun.TryGetValue(step.RunId, out var list)) byRun[step.RunId] = list = [];
            list.Add(new PlacedStep(step, [.. placement.Replicas[0].GpuIndices]));
        }

        // One message per run and node: the run persists the whole batch in one journal append.
        foreach (var (runId, list) in byRun) GrainFactory.GetGrain<IRunGrain>(runId).StepsPlacedAsync(node, list).Ignore();
        SchedulerMetrics.Placed(Pool, placed);
        return requeued;
    }

    /// <summary>Tells the run to stop a step so that a waiting one can have its resources (once per order); a gang
    /// is stopped whole.</summary>
    private void Preempt(PreemptionOrder order)
    {
        if (!_running.TryGetValue(order.JobId, out var running) || !_preempting.Add(order.JobId)) return;
        SchedulerMetrics.Preempted(Pool, order.Cause);
        LogPreempting(Pool, order.JobId, order.ForJobId, order.Reason);
        GrainFactory.GetGrain<IRunGrain>(running.Step.RunId)
            .PreemptAsync(running.Step, running.Nodes[0], _config.Tuning.PreemptionGrace, $"preempted ({order.Cause.ToString().ToLowerInvariant()}): {order.Reason}").Ignore();
    }

    /// <summary>A one-shot timer for when the core wants another pass (aging, a reservation to re-check).</summary>
    private void ScheduleWakeUp(DateTimeOffset? at)
    {
        if (at == _wakeUpAt) return;
        _wakeUp?.Dispose();
        _wakeUp = null;
        _wakeUpAt = at;
        if (at is not { } due) return;
        var delay = due - time.GetUtcNow();
        _wakeUp = this.RegisterGrainTimer(_ =>
        {
            _wakeUpAt = null;
            RequestPass();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions { DueTime = delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Period = Timeout.InfiniteTimeSpan });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler {Pool}: node {Node} did not answer for {Count} step(s)")]
    private partial void LogNodeFailed(Exception e, string pool, string node, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Pool}: preempting {Job} for {For}: {Reason}")]
    private partial void LogPreempting(string pool, string job, string @for, string reason);
}
