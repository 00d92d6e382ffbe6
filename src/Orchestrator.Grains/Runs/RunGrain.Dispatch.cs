using Microsoft.Extensions.Logging;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;

namespace Orchestrator.Grains.Runs;

/// <summary>Talking to nodes: dispatching placed attempts (gangs included) and releasing what they held, batched per
/// node and flush.</summary>
public sealed partial class RunGrain
{
    /// <summary>The processes of a placed attempt and their nodes: one for an ordinary step, one per replica for a gang.</summary>
    private IEnumerable<(StepRef Process, string Node)> Processes(StepRuntime step) =>
        step.Replicas.Select(slot => (new StepRef(RunId, step.Key, step.Attempt, slot.Replica), slot.Node));

    /// <summary>Sends placed steps to their nodes (every process of a gang, unless <paramref name="only"/> names some),
    /// one call per node.</summary>
    private async Task DispatchAsync(IEnumerable<StepRuntime> steps, IReadOnlySet<StepRef>? only = null)
    {
        var assignments = new List<(string Node, StepAssignment Assignment)>();
        foreach (var step in steps)
        {
            if (step.Replicas.Count == 0) continue;
            var resolved = Machine.ResolveForDispatch(step.Index);
            if (resolved is null)
            {
                // Cannot happen for a step that was placed (its inputs existed then).
                logger.LogError("Run {RunId}: step {Step} was placed but no longer resolves", RunId, step.Key);
                continue;
            }

            var gang = step.Replicas.Count > 1 ? await GangOfAsync(step) : null;
            foreach (var slot in step.Replicas)
            {
                var process = new StepRef(RunId, step.Key, step.Attempt, slot.Replica);
                if (only is not null && !only.Contains(process)) continue;
                assignments.Add((slot.Node, new StepAssignment(process, _definition!.Pipeline, resolved, [.. slot.Gpus],
                    gang is null ? null : gang with { Replica = slot.Replica })));
            }
        }

        await Task.WhenAll(assignments
            .GroupBy(a => a.Node, StringComparer.Ordinal)
            .Select(group => Node(group.Key).StartStepsAsync([.. group.Select(a => a.Assignment)])));
    }

    /// <summary>How a gang's processes meet: replica 0's node address and a port derived from the attempt, so every
    /// replica (and a re-dispatch after a restart) computes the same one.</summary>
    private async Task<GangAssignment> GangOfAsync(StepRuntime step)
    {
        var master = await Node(step.Replicas[0].Node).GetAsync();
        return new GangAssignment(0, step.Replicas.Count, master.Address, GangPorts.For(new StepRef(RunId, step.Key, step.Attempt)));
    }

    /// <summary>Queues a release for the flush; a succeeded attempt's release tells the scheduler it completed, so its
    /// run time joins the duration history that backfill estimates from.</summary>
    private void Release(string node, StepRef step, bool stopProcess, bool succeeded = false)
    {
        if (!_releases.TryGetValue((node, stopProcess, succeeded), out var list)) _releases[(node, stopProcess, succeeded)] = list = [];
        list.Add(step);
    }

    /// <summary>The batched node calls of one flush: one release and one dispatch per node, concurrently.</summary>
    private IEnumerable<Func<Task>> TakeNodeEffects()
    {
        var releases = _releases.ToList();
        var dispatch = _dispatch.ToList();
        _releases.Clear();
        _dispatch.Clear();
        if (dispatch.Count > 0) yield return () => DispatchAsync(dispatch);
        if (releases.Count > 0)
            yield return () => Task.WhenAll(releases.Select(r => r.Key.Succeeded
                ? Node(r.Key.Node).ReleaseSucceededAsync(r.Value)
                : Node(r.Key.Node).ReleaseAsync(r.Value, r.Key.Stop)));
    }

    private IGpuNodeGrain Node(string name) => GrainFactory.GetGrain<IGpuNodeGrain>(name);
}
