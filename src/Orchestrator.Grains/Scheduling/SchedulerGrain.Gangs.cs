using Microsoft.Extensions.Logging;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Metrics;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Grains.Scheduling;

/// <summary>Gangs: a step of several replicas is held on every node it was given, all or nothing, before its run hears
/// of it. Each replica is its own allocation on its node (key: the attempt with its replica number).</summary>
public sealed partial class SchedulerGrain
{
    /// <summary>Asks every node of a gang to hold its replicas. If any refuses or fails to answer, the replicas that were
    /// held are given back and the gang goes back to the queue: no partial allocation is kept. Never throws.</summary>
    private async Task ConfirmGangAsync(GangPlacement placement, PendingStep pending)
    {
        var attempt = pending.Step;
        var job = SchedulingJobs.ToAllocationJob(Pool, placement.Job);
        var slots = placement.Replicas.Select((r, i) => new ReplicaSlot(i, r.Node, [.. r.GpuIndices])).ToList();
        var byNode = slots.GroupBy(s => s.Node, StringComparer.Ordinal).ToList();
        var answers = await Task.WhenAll(byNode.Select(async group =>
        {
            var requests = group.Select(s => new AllocationRequest(attempt with { Replica = s.Replica }, placement.Job.Shape.PerReplica, [.. s.Gpus], job)).ToList();
            try
            {
                return (Node: group.Key, Answer: (AllocationResult?)await GrainFactory.GetGrain<IGpuNodeGrain>(group.Key).AllocateAsync(requests), Asked: requests.Count);
            }
            catch (Exception e)
            {
                LogNodeFailed(e, Pool, group.Key, 1);
                return (Node: group.Key, Answer: (AllocationResult?)null, Asked: requests.Count);
            }
        }));

        try
        {
            ApplyGangAnswers(placement, pending, slots, answers);
        }
        catch (Exception e)
        {
            LogGangAnswerFailed(e, Pool, placement.Job.Id);
        }
        finally
        {
            PublishMetrics();
        }
    }

    private void ApplyGangAnswers(GangPlacement placement, PendingStep pending,
        List<ReplicaSlot> slots, (string Node, AllocationResult? Answer, int Asked)[] answers)
    {
        var id = placement.Job.Id;
        var attempt = pending.Step;
        foreach (var (node, answer, _) in answers)
        {
            if (answer is not null && (!_nodeVersions.TryGetValue(node, out var known) || known < answer.Capacity.Version))
                _nodeVersions[node] = answer.Capacity.Version;
        }

        _confirming.Remove(id);
        var wanted = _queued.Remove(id);
        var whole = answers.All(a => a.Answer is not null && a.Answer.Accepted.Count == a.Asked);
        if (whole)
        {
            // Held on every node even if no longer wanted: the run learns of it and gives it back as stale.
            _running[id] = (attempt, [.. slots.Select(s => s.Node).Distinct(StringComparer.Ordinal)]);
            GrainFactory.GetGrain<IRunGrain>(attempt.RunId)
                .StepsPlacedAsync(slots[0].Node, [new PlacedStep(attempt, [.. slots[0].Gpus], slots)]).Ignore();
            SchedulerMetrics.Placed(Pool, 1);
            return;
        }

        // Not whole: give back what some nodes held, undo in the core, learn the truth of the nodes that refused, and
        // let the gang try again.
        foreach (var (node, answer, _) in answers)
        {
            if (answer is { Accepted.Count: > 0 })
                GrainFactory.GetGrain<IGpuNodeGrain>(node).ReleaseAsync(answer.Accepted, stopProcess: false).Ignore();
        }

        LogGangRefused(Pool, id, string.Join(", ", answers.Where(a => a.Answer is null || a.Answer.Accepted.Count < a.Asked).Select(a => a.Node)));
        _core.Release(id, completed: false);
        if (wanted && _core.Enqueue(placement.Job)) _queued[id] = pending;
        foreach (var (node, answer, asked) in answers)
        {
            if (answer is null || answer.Accepted.Count < asked) RefreshNodeAsync(node).Ignore();
        }
    }

    /// <summary>Learns a node's truth after it refused, then runs a pass against it.</summary>
    private async Task RefreshNodeAsync(string node)
    {
        Apply(await GrainFactory.GetGrain<IGpuNodeGrain>(node).GetPoolReportAsync());
        RequestPass();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler {Pool}: could not apply the nodes' answers for gang {Job}; the next node reports settle it")]
    private partial void LogGangAnswerFailed(Exception e, string pool, string job);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Pool}: gang {Job} not held whole (refused or unanswered by {Nodes}); it is queued again")]
    private partial void LogGangRefused(string pool, string job, string nodes);
}
