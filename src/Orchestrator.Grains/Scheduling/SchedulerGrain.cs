using Microsoft.Extensions.Logging;
using Orchestrator.Grains.Metrics;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Grains.Scheduling;

/// <summary>The queue of ready steps and the placement of one pool of nodes (key: pool name).</summary>
public interface ISchedulerGrain : IGrainWithStringKey
{
    /// <summary>Queues ready step attempts; a repeat is a no-op.</summary>
    Task EnqueueManyAsync(List<PendingStep> steps);

    /// <summary>Takes a step attempt out of the queue.</summary>
    Task RemoveAsync(StepRef step);

    /// <summary>A node's capacity changed.</summary>
    [OneWay]
    Task NodeChangedAsync(NodeCapacity capacity);

    /// <summary>Runs a placement pass now.</summary>
    [OneWay]
    Task PlaceAsync();

    /// <summary>Names of the pool's nodes.</summary>
    Task<IReadOnlyList<string>> ListNodesAsync();

    /// <summary>Queue depth and node count.</summary>
    Task<SchedulerStatus> GetStatusAsync();
}

/// <summary>What the scheduler reports about itself.</summary>
[GenerateSerializer]
[Alias("orch.scheduler-status")]
public sealed record SchedulerStatus([property: Id(0)] int Queued, [property: Id(1)] int Nodes, [property: Id(2)] int SchedulableNodes);

/// <summary>Stored state of a scheduler: which nodes belong to the pool. The queue itself is not stored: runs put
/// their ready steps back when they resume, and allocations are stored by the nodes that hold them.</summary>
[GenerateSerializer]
[Alias("orch.scheduler-state")]
public sealed class SchedulerState
{
    /// <summary>Node names.</summary>
    [Id(0)] public SortedSet<string> Nodes { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Places ready steps on nodes through <see cref="IPlacementPolicy"/>, in batches.</summary>
public sealed class SchedulerGrain(
    [PersistentState("scheduler")] IPersistentState<SchedulerState> state,
    IPlacementPolicy policy,
    ILogger<SchedulerGrain> logger) : Grain, ISchedulerGrain
{
    /// <summary>The pool every node and step belongs to until pools arrive with the scheduling issue.</summary>
    public const string DefaultPool = "default";

    private readonly Dictionary<StepRef, PendingStep> _queue = [];
    private readonly Dictionary<string, NodeCapacity> _nodes = new(StringComparer.Ordinal);
    private long _sequence;
    private bool _passRequested;

    private string Pool => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var capacities = await Task.WhenAll(state.State.Nodes.Select(n => GrainFactory.GetGrain<IGpuNodeGrain>(n).GetCapacityAsync()));
        foreach (var capacity in capacities) _nodes[capacity.Name] = capacity;

        // A safety net behind the event-driven passes; it also keeps the in-memory queue alive.
        this.RegisterGrainTimer(_ => _queue.Count > 0 ? PassAsync() : Task.CompletedTask,
            new GrainTimerCreationOptions { DueTime = TimeSpan.FromSeconds(5), Period = TimeSpan.FromSeconds(5), KeepAlive = true });
        SchedulerMetrics.QueueDepth(Pool, 0);
    }

    /// <inheritdoc />
    public Task EnqueueManyAsync(List<PendingStep> steps)
    {
        var added = false;
        foreach (var step in steps)
        {
            if (!_queue.TryAdd(step.Step, step with { Sequence = _sequence + 1 })) continue;
            _sequence++;
            added = true;
        }

        if (!added) return Task.CompletedTask;
        SchedulerMetrics.QueueDepth(Pool, _queue.Count);
        RequestPass();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveAsync(StepRef step)
    {
        if (_queue.Remove(step)) SchedulerMetrics.QueueDepth(Pool, _queue.Count);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task NodeChangedAsync(NodeCapacity capacity)
    {
        if (_nodes.TryGetValue(capacity.Name, out var known) && known.Version > capacity.Version) return;
        _nodes[capacity.Name] = capacity;
        if (state.State.Nodes.Add(capacity.Name)) await state.WriteStateAsync();
        if (_queue.Count > 0) RequestPass();
    }

    /// <inheritdoc />
    public Task PlaceAsync()
    {
        _passRequested = false;
        return PassAsync();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListNodesAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Nodes]);

    /// <inheritdoc />
    public Task<SchedulerStatus> GetStatusAsync() =>
        Task.FromResult(new SchedulerStatus(_queue.Count, _nodes.Count, _nodes.Values.Count(n => n.Schedulable)));

    private void RequestPass()
    {
        if (_passRequested) return;
        _passRequested = true;
        this.AsReference<ISchedulerGrain>().PlaceAsync().Ignore();
    }

    /// <summary>One batch: decide with the policy on the current view, then let each node confirm its part.</summary>
    private async Task PassAsync()
    {
        if (_queue.Count == 0) return;
        var placements = policy.Place(_queue.Values, _nodes.Values);
        if (placements.Count == 0) return;

        var byNode = placements.GroupBy(p => p.Node).ToList();
        var results = await Task.WhenAll(byNode.Select(async group =>
        {
            try
            {
                var requests = group.Select(p => new AllocationRequest(p.Step.Step, p.Step.Resources, [.. p.GpuIndices])).ToList();
                return (Group: group, Result: await GrainFactory.GetGrain<IGpuNodeGrain>(group.Key).AllocateAsync(requests));
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Scheduler {Pool}: node {Node} did not take {Count} step(s)", Pool, group.Key, group.Count());
                return (Group: group, Result: (AllocationResult?)null);
            }
        }));

        var placed = 0;
        foreach (var (group, result) in results)
        {
            if (result is null) continue;
            _nodes[group.Key] = result.Capacity;
            var accepted = result.Accepted.ToHashSet();
            var byRun = new Dictionary<string, List<PlacedStep>>(StringComparer.Ordinal);
            foreach (var placement in group.Where(p => accepted.Contains(p.Step.Step)))
            {
                _queue.Remove(placement.Step.Step);
                placed++;
                var step = placement.Step.Step;
                if (!byRun.TryGetValue(step.RunId, out var list)) byRun[step.RunId] = list = [];
                list.Add(new PlacedStep(step, [.. placement.GpuIndices]));
            }

            // One message per run and node: the run persists the whole batch in one journal append.
            foreach (var (runId, list) in byRun) GrainFactory.GetGrain<IRunGrain>(runId).StepsPlacedAsync(group.Key, list).Ignore();
        }

        SchedulerMetrics.Placed(Pool, placed);
        SchedulerMetrics.QueueDepth(Pool, _queue.Count);
    }
}
