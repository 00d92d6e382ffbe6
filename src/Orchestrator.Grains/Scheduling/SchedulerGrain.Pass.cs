using Microsoft.Extensions.Logging;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Metrics;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Grains.Scheduling;

/// <summary>One placement pass: the core decides, each node confirms its part, runs learn where their steps go.</summary>
public sealed partial class SchedulerGrain
{
    private async Task PassAsync()
    {
        var result = _core.Schedule();
        await OnPassAdmittedAsync(result.AdmittedRuns);
        ScheduleWakeUp(result.NextWakeUp);
        foreach (var order in result.Preemptions) Preempt(order);
        if (result.Placements.Count == 0)
        {
            PublishMetrics();
            return;
        }

        var byNode = result.Placements.GroupBy(p => p.Replicas[0].Node, StringComparer.Ordinal).ToList();
        var answers = await Task.WhenAll(byNode.Select(async group =>
        {
            try
            {
                var requests = group.Select(p => new AllocationRequest(_queued[p.Job.Id].Step, p.Job.Shape.PerReplica,
                    [.. p.Replicas[0].GpuIndices], SchedulingJobs.ToAllocationJob(Pool, p.Job))).ToList();
                return (Group: group, Result: await GrainFactory.GetGrain<IGpuNodeGrain>(group.Key).AllocateAsync(requests));
            }
            catch (Exception e)
            {
                LogNodeFailed(e, Pool, group.Key, group.Count());
                return (Group: group, Result: (AllocationResult?)null);
            }
        }));

        var placed = 0;
        var refused = new List<string>();
        foreach (var (group, result2) in answers)
        {
            var accepted = result2?.Accepted.Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal) ?? [];
            if (result2 is not null && (!_nodeVersions.TryGetValue(group.Key, out var known) || known < result2.Capacity.Version))
                _nodeVersions[group.Key] = result2.Capacity.Version;
            var byRun = new Dictionary<string, List<PlacedStep>>(StringComparer.Ordinal);
            foreach (var placement in group)
            {
                var id = placement.Job.Id;
                var step = _queued[id];
                if (!accepted.Contains(id))
                {
                    // The node's state is the authority: undo in the core and queue again, then learn the node's truth.
                    _core.Release(id, completed: false);
                    _core.Enqueue(placement.Job);
                    refused.Add(group.Key);
                    continue;
                }

                _queued.Remove(id);
                _running[id] = (step.Step, group.Key);
                placed++;
                if (!byRun.TryGetValue(step.Step.RunId, out var list)) byRun[step.Step.RunId] = list = [];
                list.Add(new PlacedStep(step.Step, [.. placement.Replicas[0].GpuIndices]));
            }

            // One message per run and node: the run persists the whole batch in one journal append.
            foreach (var (runId, list) in byRun) GrainFactory.GetGrain<IRunGrain>(runId).StepsPlacedAsync(group.Key, list).Ignore();
        }

        foreach (var node in refused.Distinct(StringComparer.Ordinal))
        {
            try
            {
                Apply(await GrainFactory.GetGrain<IGpuNodeGrain>(node).GetPoolReportAsync());
            }
            catch (Exception e)
            {
                LogNodeFailed(e, Pool, node, 0);
            }
        }

        SchedulerMetrics.Placed(Pool, placed);
        PublishMetrics();
    }

    /// <summary>Tells the run to stop a step so that a waiting one can have its resources (once per order).</summary>
    private void Preempt(PreemptionOrder order)
    {
        if (!_running.TryGetValue(order.JobId, out var running) || !_preempting.Add(order.JobId)) return;
        SchedulerMetrics.Preempted(Pool, order.Cause);
        LogPreempting(Pool, order.JobId, order.ForJobId, order.Reason);
        GrainFactory.GetGrain<IRunGrain>(running.Step.RunId)
            .PreemptAsync(running.Step, running.Node, _config.Tuning.PreemptionGrace, $"preempted ({order.Cause.ToString().ToLowerInvariant()}): {order.Reason}").Ignore();
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
