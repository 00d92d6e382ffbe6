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

    /// <summary>Applies a new scheduling configuration from the next pass on.</summary>
    Task ConfigureAsync(SchedulingConfig config);

    /// <summary>Nodes, GPUs, queue and per-tenant use of the pool.</summary>
    Task<PoolUsage> GetUsageAsync();

    /// <summary>Why these jobs (step attempt keys, <see cref="StepRef.ToString"/>) are still waiting.</summary>
    Task<List<PendingExplanation>> ExplainAsync(List<string> jobIds);
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
    private SchedulingConfig _config = SchedulingConfig.Default;

    private string Pool => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _config = (await GrainFactory.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).GetAsync()).Config;
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

    /// <inheritdoc />
    public Task ConfigureAsync(SchedulingConfig config)
    {
        _config = config;
        if (_queue.Count > 0) RequestPass();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<PoolUsage> GetUsageAsync()
    {
        var schedulable = _nodes.Values.Where(n => n.Schedulable).ToList();
        var tenants = _queue.Values.GroupBy(p => p.Tenant, StringComparer.Ordinal)
            .Select(g => new TenantUsage(g.Key, 0, QuotaOf(g.Key), 0, g.Count(), 0)).ToList();
        return Task.FromResult(new PoolUsage(Pool, _nodes.Count, schedulable.Count, schedulable.Sum(n => n.Gpus.Count),
            schedulable.Sum(n => n.Gpus.Count(g => !g.Allocated)), _queue.Count, 0, tenants));
    }

    /// <inheritdoc />
    public Task<List<PendingExplanation>> ExplainAsync(List<string> jobIds)
    {
        var order = _queue.Values.OrderByDescending(s => s.Priority).ThenBy(s => s.Sequence).Select(s => s.Step.ToString()).ToList();
        return Task.FromResult(jobIds.Select(id =>
        {
            var position = order.IndexOf(id);
            if (position < 0) return new PendingExplanation(id, Pool, 0, [new PendingReason(PendingReasonKind.NotQueued, $"not in the queue of pool {Pool}")]);
            var step = _queue.Values.First(s => s.Step.ToString() == id);
            var reasons = new List<PendingReason>();
            if (_nodes.Count == 0) reasons.Add(new PendingReason(PendingReasonKind.NeverFits, $"pool {Pool} has no nodes"));
            else if (!_nodes.Values.Any(n => n.Schedulable && ResourceFit.FitsNow(step.Resources, n.CpuMillisFree, n.MemoryBytesFree, n.Gpus)))
                reasons.Add(new PendingReason(PendingReasonKind.Capacity, $"no node of pool {Pool} has {step.Resources.Gpus} free GPU(s), the CPU and the memory it asks for"));
            if (position > 0) reasons.Add(new PendingReason(PendingReasonKind.QueuedBehind, $"{position} step(s) ahead of it in pool {Pool}"));
            return new PendingExplanation(id, Pool, position, reasons);
        }).ToList());
    }

    private int QuotaOf(string tenant) =>
        _config.Tenants.FirstOrDefault(t => t.Name == tenant)?.Quotas.GetValueOrDefault(Pool)?.Gpus ?? 0;

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
