using Microsoft.Extensions.Logging;
using Orchestrator.Grains.Metrics;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Hosting;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Scheduling;

namespace Orchestrator.Grains.Nodes;

/// <summary>Stored state of a node.</summary>
[GenerateSerializer]
[Alias("orch.node-state")]
public sealed class GpuNodeState
{
    /// <summary>GPUs.</summary>
    [Id(0)] public List<GpuDeviceInfo> Gpus { get; set; } = [];
    /// <summary>Labels.</summary>
    [Id(1)] public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>CPU.</summary>
    [Id(2)] public long CpuMillis { get; set; }
    /// <summary>Memory.</summary>
    [Id(3)] public long MemoryBytes { get; set; }
    /// <summary>Cordoned.</summary>
    [Id(4)] public bool Cordoned { get; set; }
    /// <summary>Lost (lease expired) and not re-registered since.</summary>
    [Id(5)] public bool Lost { get; set; }
    /// <summary>Allocations by attempt.</summary>
    [Id(6)] public Dictionary<string, AllocationRecord> Allocations { get; set; } = [];
}

/// <summary>A GPU node. The node's own state is the authority on which GPU is free: the scheduler's view may lag,
/// so every allocation is checked here before it is accepted, and persisted before it is acknowledged.</summary>
public sealed class GpuNodeGrain(
    [PersistentState("node")] IPersistentState<GpuNodeState> state,
    IOptions<OrchestratorOptions> options,
    TimeProvider time,
    ILogger<GpuNodeGrain> logger) : Grain, IGpuNodeGrain
{
    private IAgentObserver? _agent;
    private DateTimeOffset _lastHeartbeat;
    private List<GpuSampleInfo> _utilization = [];
    private long _version;

    private string Name => this.GetPrimaryKeyString();
    private bool Known => state.RecordExists;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _lastHeartbeat = time.GetUtcNow();
        // Versions keep increasing across activations, so the scheduler never takes a reactivated node's news for stale.
        // Wall-clock ticks, not the injected TimeProvider: this orders activations, it is not domain time.
        _version = DateTime.UtcNow.Ticks;
        this.RegisterGrainTimer(CheckLeaseAsync, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.FromSeconds(1), Period = TimeSpan.FromSeconds(1), KeepAlive = true,
        });

        // After a restart, ask each run whether its allocation here is still wanted; stale ones are released.
        foreach (var allocation in state.State.Allocations.Values)
            GrainFactory.GetGrain<IRunGrain>(allocation.Step.RunId).CheckAllocationAsync(allocation.Step, Name).Ignore();
        if (Known) NotifyScheduler();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<NodeRegistered> RegisterAsync(NodeRegistration registration, IAgentObserver agent)
    {
        var s = state.State;
        s.Gpus = registration.Gpus;
        s.Labels = registration.Labels;
        s.CpuMillis = registration.CpuMillis;
        s.MemoryBytes = registration.MemoryBytes;
        s.Lost = false;
        var gpuIndices = s.Gpus.Select(g => g.Index).ToHashSet();
        var running = registration.Running.Select(r => r.ToString()).ToHashSet(StringComparer.Ordinal);

        // Allocations the agent does not run: their runs decide (re-send if only placed, retry if it was running).
        // Allocations on GPUs the node no longer has cannot run at all.
        var missing = s.Allocations.Values.Where(a => !running.Contains(a.Step.ToString())).ToList();
        foreach (var gone in s.Allocations.Values.Where(a => a.Gpus.Any(g => !gpuIndices.Contains(g))).ToList())
        {
            s.Allocations.Remove(gone.Step.ToString());
            GrainFactory.GetGrain<IRunGrain>(gone.Step.RunId).StepLostAsync(gone.Step, $"GPU inventory of node {Name} changed").Ignore();
        }

        await state.WriteStateAsync();
        _agent = agent;
        _lastHeartbeat = time.GetUtcNow();
        _version++;

        foreach (var group in missing.Where(a => s.Allocations.ContainsKey(a.Step.ToString())).GroupBy(a => a.Step.RunId))
            GrainFactory.GetGrain<IRunGrain>(group.Key).StepsNotRunningAsync(Name, [.. group.Select(a => a.Step)]).Ignore();

        // Attempts the agent runs that hold nothing here belong to no one: stop them.
        foreach (var orphan in registration.Running.Where(r => !s.Allocations.ContainsKey(r.ToString())))
            agent.CancelAsync(orphan, TimeSpan.Zero, "not allocated on this node").Ignore();

        logger.LogInformation("Node {Node} registered: {Gpus} GPU(s), {Cpu} mCPU, {Memory} bytes, {Running} running",
            Name, s.Gpus.Count, s.CpuMillis, s.MemoryBytes, registration.Running.Count);
        NotifyScheduler();
        return new NodeRegistered(options.Value.HeartbeatInterval, options.Value.NodeLease);
    }

    /// <inheritdoc />
    public Task<bool> HeartbeatAsync(List<GpuSampleInfo> samples, IAgentObserver agent)
    {
        if (!Known || state.State.Lost || _agent is null) return Task.FromResult(false);
        _agent = agent;
        _lastHeartbeat = time.GetUtcNow();
        _utilization = samples;
        NodeMetrics.Utilization(Name, samples);
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task DisconnectAsync(IAgentObserver agent)
    {
        if (_agent is not null && _agent.Equals(agent))
        {
            _agent = null;
            _version++;
            NotifyScheduler();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<AllocationResult> AllocateAsync(List<AllocationRequest> requests)
    {
        var s = state.State;
        var accepted = new List<StepRef>();
        var rejected = new List<StepRef>();
        var changed = false;
        foreach (var request in requests)
        {
            var key = request.Step.ToString();
            if (s.Allocations.TryGetValue(key, out var existing))
            {
                if (existing.Gpus.SequenceEqual(request.Gpus)) accepted.Add(request.Step); else rejected.Add(request.Step);
                continue;
            }

            if (!Schedulable || !Fits(request))
            {
                rejected.Add(request.Step);
                continue;
            }

            s.Allocations[key] = new AllocationRecord
            {
                Step = request.Step, Gpus = request.Gpus, CpuMillis = request.Resources.CpuMillis,
                MemoryBytes = request.Resources.MemoryBytes, Since = time.GetUtcNow(),
            };
            accepted.Add(request.Step);
            changed = true;
        }

        if (changed)
        {
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                await state.ReadStateAsync();
                throw;
            }

            _version++;
            NodeMetrics.Allocation(Name, s);
        }

        return new AllocationResult(accepted, rejected, Capacity());
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(StepRef step, bool stopProcess)
    {
        if (stopProcess) _agent?.CancelAsync(step, options.Value.CancelGrace, "released").Ignore();
        if (!state.State.Allocations.Remove(step.ToString())) return;
        await state.WriteStateAsync();
        _version++;
        NodeMetrics.Allocation(Name, state.State);
        NotifyScheduler();
    }

    /// <inheritdoc />
    public Task StartStepAsync(StepAssignment assignment)
    {
        if (!state.State.Allocations.ContainsKey(assignment.Step.ToString()))
        {
            logger.LogWarning("Node {Node}: not starting {Step}, which holds no allocation here", Name, assignment.Step);
            return Task.CompletedTask;
        }

        // No agent right now: when it registers, the run learns the attempt is not running and sends it again.
        _agent?.AssignAsync(assignment).Ignore();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CancelStepAsync(StepRef step, TimeSpan grace, string reason)
    {
        _agent?.CancelAsync(step, grace, reason).Ignore();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<NodeCapacity> GetCapacityAsync() => Task.FromResult(Capacity());

    /// <inheritdoc />
    public Task<NodeView> GetAsync() => Task.FromResult(View());

    /// <inheritdoc />
    public async Task<NodeView> SetCordonedAsync(bool cordoned)
    {
        if (!Known) return View();
        if (state.State.Cordoned != cordoned)
        {
            state.State.Cordoned = cordoned;
            await state.WriteStateAsync();
            _version++;
            NotifyScheduler();
        }

        return View();
    }

    private bool Schedulable => Known && _agent is not null && !state.State.Lost && !state.State.Cordoned;

    private bool Fits(AllocationRequest request)
    {
        var s = state.State;
        var taken = s.Allocations.Values.SelectMany(a => a.Gpus).ToHashSet();
        var byIndex = s.Gpus.ToDictionary(g => g.Index);
        if (request.Gpus.Length != request.Resources.Gpus || request.Gpus.Distinct().Count() != request.Gpus.Length) return false;
        foreach (var index in request.Gpus)
        {
            if (taken.Contains(index) || !byIndex.TryGetValue(index, out var gpu)) return false;
            if (!ResourceFit.Matches(request.Resources, new GpuSlot(gpu.Index, gpu.Model, false))) return false;
        }

        var cpu = s.CpuMillis - s.Allocations.Values.Sum(a => a.CpuMillis);
        var memory = s.MemoryBytes - s.Allocations.Values.Sum(a => a.MemoryBytes);
        return request.Resources.CpuMillis <= cpu && request.Resources.MemoryBytes <= memory;
    }

    private NodeCapacity Capacity()
    {
        var s = state.State;
        var taken = s.Allocations.Values.SelectMany(a => a.Gpus).ToHashSet();
        var slots = s.Gpus.Select(g => new GpuSlot(g.Index, g.Model, taken.Contains(g.Index))).ToList();
        return new NodeCapacity(Name, Schedulable, slots, s.CpuMillis, s.MemoryBytes,
            s.CpuMillis - s.Allocations.Values.Sum(a => a.CpuMillis), s.MemoryBytes - s.Allocations.Values.Sum(a => a.MemoryBytes),
            _version);
    }

    private NodeView View()
    {
        if (!Known) throw OrchestratorException.NotFound($"node {Name} has never registered; `orch nodes` lists the known nodes");
        var s = state.State;
        return new NodeView
        {
            Name = Name,
            Status = s.Lost ? NodeStatus.Lost : _agent is null ? NodeStatus.Disconnected : NodeStatus.Ready,
            Cordoned = s.Cordoned, Labels = s.Labels, Gpus = s.Gpus, Utilization = _utilization, CpuMillis = s.CpuMillis,
            MemoryBytes = s.MemoryBytes, Allocations = [.. s.Allocations.Values], LastHeartbeat = _agent is null ? null : _lastHeartbeat,
        };
    }

    private void NotifyScheduler()
    {
        _version++;
        GrainFactory.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool).NodeChangedAsync(Capacity()).Ignore();
    }

    private async Task CheckLeaseAsync(CancellationToken cancellationToken)
    {
        if (!Known || state.State.Lost) return;
        var silent = time.GetUtcNow() - _lastHeartbeat;
        if (silent <= options.Value.NodeLease) return;

        logger.LogWarning("Node {Node} lost: no heartbeat for {Seconds:F1}s; retrying its {Count} step(s) elsewhere",
            Name, silent.TotalSeconds, state.State.Allocations.Count);
        var lost = state.State.Allocations.Values.ToList();
        state.State.Lost = true;
        state.State.Allocations.Clear();
        await state.WriteStateAsync(CancellationToken.None);
        _agent = null;
        NodeMetrics.Allocation(Name, state.State);
        foreach (var allocation in lost)
        {
            GrainFactory.GetGrain<IRunGrain>(allocation.Step.RunId)
                .StepLostAsync(allocation.Step, $"node {Name} lost: no heartbeat for {silent.TotalSeconds:F0}s").Ignore();
        }

        NotifyScheduler();
    }
}
