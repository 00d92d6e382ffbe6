using Microsoft.Extensions.Logging;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Nodes;

namespace Orchestrator.Grains.Scheduling;

/// <summary>Keeping the core's view of the pool's nodes in step with the node grains.</summary>
public sealed partial class SchedulerGrain
{
    /// <inheritdoc />
    public async Task NodeReportedAsync(PoolNodeReport report)
    {
        if (report.Unknown)
        {
            await ForgetNodeAsync(report.Node);
            return;
        }

        if (!Apply(report)) return;
        if (state.State.Nodes.Add(report.Node)) await state.WriteStateAsync();
        PublishMetrics();
        if (PassWanted) RequestPass();
    }

    /// <inheritdoc />
    public Task ReleasedAsync(string node, List<string> jobIds, long version, bool completed)
    {
        if (_nodeVersions.TryGetValue(node, out var known) && known < version) _nodeVersions[node] = version;
        var freed = false;
        foreach (var key in jobIds)
        {
            // A gang's process frees the whole gang in the core: its run releases every replica together.
            if (RunningJobOf(key, node) is not { } id) continue;
            _running.Remove(id);
            _preempting.Remove(id);
            freed |= _core.Release(id, completed);
        }

        if (!freed) return Task.CompletedTask;
        PublishMetrics();
        if (PassWanted) RequestPass();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task NodeLeftAsync(string node) => ForgetNodeAsync(node);

    /// <summary>How often the scheduler re-reads every node's report.</summary>
    internal static readonly TimeSpan NodeReconcilePeriod = TimeSpan.FromSeconds(60);

    /// <summary>Re-reads every node's report and applies it. Events keep the view current; this catches what an event
    /// could not carry (a lost one-way message, a change made while the scheduler was moving between silos), so any drift
    /// between the core and the nodes lasts at most one period. The reports are asked for all at once.</summary>
    private async Task ReconcileNodesAsync(CancellationToken cancellationToken)
    {
        var nodes = state.State.Nodes.ToList();
        if (nodes.Count == 0) return;
        var reports = await Task.WhenAll(nodes.Select(async node =>
        {
            try
            {
                return await GrainFactory.GetGrain<IGpuNodeGrain>(node).GetPoolReportAsync();
            }
            catch (Exception e)
            {
                LogNodeFailed(e, Pool, node, 0);
                return null;
            }
        }));

        var changed = false;
        foreach (var report in reports)
        {
            if (report is null || !state.State.Nodes.Contains(report.Node)) continue;
            changed |= Apply(report);
        }

        if (!changed) return;
        PublishMetrics();
        if (PassWanted) RequestPass();
    }

    /// <summary>Applies a node's report to the core: its shape and state, then its allocations, which win over
    /// the core's own idea of what runs there. False when the report is older than what is known.</summary>
    private bool Apply(PoolNodeReport report)
    {
        if (report.Unknown) return false;
        if (_nodeVersions.TryGetValue(report.Node, out var known) && known > report.Version) return false;
        _nodeVersions[report.Node] = report.Version;
        _core.UpsertNode(SchedulingJobs.ToSpec(report));

        var held = report.Allocations.ToDictionary(a => a.Step.ToString(), StringComparer.Ordinal);
        var heldAttempts = report.Allocations.Select(a => a.Step.ForAttempt().ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, running) in _running.Where(r => r.Value.Nodes.Contains(report.Node) && !held.ContainsKey(r.Key) && !heldAttempts.Contains(r.Key)).ToList())
        {
            _running.Remove(id);
            _preempting.Remove(id);
            _core.Release(id, completed: false);
        }

        foreach (var (id, allocation) in held)
        {
            // A placement whose node has not answered yet is already running in the core; its answer settles it.
            if (RunningJobOf(id, report.Node) is not null || _confirming.Contains(allocation.Step.ForAttempt().ToString())) continue;
            var job = SchedulingJobs.FromAllocation(allocation);
            // An allocation of an admitted run is charged to its reservation again.
            if (_core.IsAdmitted(allocation.Step.RunId)) job = job with { AdmittedRun = allocation.Step.RunId };
            var attemptId = allocation.Step.ForAttempt().ToString();
            if (_queued.Remove(attemptId)) _core.Dequeue(attemptId);
            if (_core.Restore(job, [new ReplicaPlacement(report.Node, [.. allocation.Gpus.Order()])], allocation.Since))
                _running[id] = (allocation.Step, [report.Node]);
            else
                LogNotRestored(Pool, id, report.Node);
        }

        return true;
    }

    /// <summary>The running job an allocation (key: <see cref="Core.Runs.StepRef.ToString"/>) on <paramref name="node"/>
    /// belongs to: the allocation's own job (one process, or a gang's part restored from a report), or the placed gang of
    /// its attempt when that gang holds resources on the node; null when none.</summary>
    private string? RunningJobOf(string allocationKey, string node)
    {
        if (_running.TryGetValue(allocationKey, out var own) && own.Nodes.Contains(node)) return allocationKey;
        var at = allocationKey.LastIndexOf("@r", StringComparison.Ordinal);
        if (at < 0 || at < allocationKey.LastIndexOf('#')) return null;
        var attempt = allocationKey[..at];
        return _running.TryGetValue(attempt, out var gang) && gang.Nodes.Contains(node) ? attempt : null;
    }

    private async Task ForgetNodeAsync(string node)
    {
        foreach (var id in _core.RemoveNode(node))
        {
            _running.Remove(id);
            _preempting.Remove(id);
        }

        _nodeVersions.Remove(node);
        if (state.State.Nodes.Remove(node)) await state.WriteStateAsync();
        PublishMetrics();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler {Pool}: allocation {Job} on node {Node} conflicts with another; the node's later report settles it")]
    private partial void LogNotRestored(string pool, string job, string node);
}
