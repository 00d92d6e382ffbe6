using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Grains.Metrics;
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
    /// <summary>Being drained: cordoned, and shown drained once nothing runs here.</summary>
    [Id(6)] public bool Draining { get; set; }
    /// <summary>Where other nodes reach it: what its agent advertised, or its name when it did not say.</summary>
    [Id(7)] public string Address { get; set; } = "";
}

/// <summary>A GPU node. The node's own state is the authority on which GPU is free: the scheduler's view may lag,
/// so every allocation is checked here before it is accepted, and persisted before it is acknowledged.</summary>
public sealed partial class GpuNodeGrain(
    [PersistentState("node")] IPersistentState<GpuNodeState> state,
    IOptions<OrchestratorOptions> options,
    TimeProvider time,
    ILogger<GpuNodeGrain> logger) : Grain, IGpuNodeGrain
{
    private AllocationJournal _allocations = null!;
    private readonly HashSet<int> _takenGpus = [];
    private long _cpuAllocated;
    private long _memoryAllocated;
    private IAgentObserver? _agent;
    private DateTimeOffset _lastHeartbeat;
    private List<GpuSampleInfo> _utilization = [];
    private long _version;
    private string? _pool;

    private string Name => this.GetPrimaryKeyString();
    private bool Known => state.RecordExists;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _allocations = new AllocationJournal(
            ServiceProvider.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(OrchestratorSiloExtensions.StorageName), this.GetGrainId());
        await _allocations.LoadAsync();
        foreach (var allocation in _allocations.Allocations.Values)
        {
            Count(allocation, +1, _takenGpus, ref _cpuAllocated, ref _memoryAllocated);
            Claim(new AllocationChange(allocation, Released: false));
        }

        _lastHeartbeat = time.GetUtcNow();
        // Versions keep increasing across activations, so the scheduler never takes a reactivated node's news for stale.
        // Wall-clock ticks, not the injected TimeProvider: this orders activations, it is not domain time.
        _version = DateTime.UtcNow.Ticks;
        this.RegisterGrainTimer(CheckLeaseAsync, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.FromSeconds(1), Period = TimeSpan.FromSeconds(1), KeepAlive = true,
        });

        // After a restart, ask each run whether its allocation here is still wanted; stale ones are released.
        foreach (var allocation in Allocations.Values)
            GrainFactory.GetGrain<IRunGrain>(allocation.Step.RunId).CheckAllocationAsync(allocation.Step, Name).Ignore();
        if (!Known) return;
        _pool = await PoolOfAsync();
        NotifyScheduler();
    }

    private Dictionary<string, AllocationRecord> Allocations => _allocations.Allocations;

    /// <inheritdoc />
    public Task<NodeRegistered> RegisterAsync(NodeRegistration registration, IAgentObserver agent) =>
        ExclusiveAsync(() => RegisterExclusiveAsync(registration, agent));

    private async Task<NodeRegistered> RegisterExclusiveAsync(NodeRegistration registration, IAgentObserver agent)
    {
        var s = state.State;
        s.Gpus = registration.Gpus;
        s.Labels = registration.Labels;
        s.CpuMillis = registration.CpuMillis;
        s.MemoryBytes = registration.MemoryBytes;
        s.Address = registration.Address.Length > 0 ? registration.Address : Name;
        s.Lost = false;
        var gpuIndices = s.Gpus.Select(g => g.Index).ToHashSet();
        var running = registration.Running.Select(r => r.ToString()).ToHashSet(StringComparer.Ordinal);

        // Allocations the agent does not run: their runs decide (re-send if only placed, retry if it was running).
        // Allocations on GPUs the node no longer has cannot run at all.
        var missing = Allocations.Values.Where(a => !running.Contains(a.Step.ToString())).ToList();
        var gone = Allocations.Values.Where(a => a.Gpus.Any(g => !gpuIndices.Contains(g))).ToList();
        await state.WriteStateAsync();
        await ChangeAsync([.. gone.Select(a => new AllocationChange(a, Released: true))]);
        foreach (var allocation in gone)
            GrainFactory.GetGrain<IRunGrain>(allocation.Step.RunId).StepLostAsync(allocation.Step, $"GPU inventory of node {Name} changed").Ignore();

        _agent = agent;
        _lastHeartbeat = time.GetUtcNow();
        _version++;
        await JoinPoolAsync();

        foreach (var group in missing.Where(a => Allocations.ContainsKey(a.Step.ToString())).GroupBy(a => a.Step.RunId))
            GrainFactory.GetGrain<IRunGrain>(group.Key).StepsNotRunningAsync(Name, [.. group.Select(a => a.Step)]).Ignore();

        // Attempts the agent runs that hold nothing here belong to no one: stop them.
        foreach (var orphan in registration.Running.Where(r => !Allocations.ContainsKey(r.ToString())))
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
        await BeforeDecidingAsync();
        var accepted = new List<StepRef>();
        var rejected = new List<StepRef>();
        var changes = new List<AllocationChange>();
        var taken = new HashSet<int>(_claimedGpus);
        long cpu = _cpuClaimed, memory = _memoryClaimed;
        var now = time.GetUtcNow();
        foreach (var request in requests)
        {
            if (_claimed.TryGetValue(request.Step.ToString(), out var existing))
            {
                if (existing.Gpus.SequenceEqual(request.Gpus)) accepted.Add(request.Step); else rejected.Add(request.Step);
                continue;
            }

            if (!Schedulable || !Fits(request, taken, cpu, memory))
            {
                rejected.Add(request.Step);
                continue;
            }

            var allocation = new AllocationRecord
            {
                Step = request.Step, Gpus = request.Gpus, CpuMillis = request.Resources.CpuMillis,
                MemoryBytes = request.Resources.MemoryBytes, Since = now, Job = request.Job,
            };
            changes.Add(new AllocationChange(allocation, Released: false));
            taken.UnionWith(request.Gpus);
            cpu += allocation.CpuMillis;
            memory += allocation.MemoryBytes;
            accepted.Add(request.Step);
        }

        await ChangeAsync(changes);
        return new AllocationResult(accepted, rejected, Capacity());
    }

    /// <inheritdoc />
    public Task ReleaseAsync(List<StepRef> steps, bool stopProcess) => ReleaseAsync(steps, stopProcess, succeeded: false);

    /// <inheritdoc />
    public Task ReleaseSucceededAsync(List<StepRef> steps) => ReleaseAsync(steps, stopProcess: false, succeeded: true);

    private async Task ReleaseAsync(List<StepRef> steps, bool stopProcess, bool succeeded)
    {
        if (stopProcess)
        {
            foreach (var step in steps) _agent?.CancelAsync(step, options.Value.CancelGrace, "released").Ignore();
        }

        await BeforeDecidingAsync();
        var changes = new List<AllocationChange>();
        foreach (var step in steps.DistinctBy(s => s.ToString()))
        {
            if (_claimed.TryGetValue(step.ToString(), out var allocation)) changes.Add(new AllocationChange(allocation, Released: true));
        }

        if (changes.Count == 0)
        {
            // A release of what another call's batch is still making durable answers once that is durable.
            await WhenStagedDurableAsync();
            return;
        }

        await ChangeAsync(changes);
        if (_pool is not null)
            GrainFactory.GetGrain<ISchedulerGrain>(_pool).ReleasedAsync(Name, [.. changes.Select(c => c.Allocation.Step.ToString())], _version, succeeded).Ignore();
    }

    /// <inheritdoc />
    public Task StartStepsAsync(List<StepAssignment> assignments)
    {
        foreach (var assignment in assignments)
        {
            if (!Allocations.ContainsKey(assignment.Step.ToString()))
            {
                logger.LogWarning("Node {Node}: not starting {Step}, which holds no allocation here", Name, assignment.Step);
                continue;
            }

            // No agent right now: when it registers, the run learns the attempt is not running and sends it again.
            _agent?.AssignAsync(assignment).Ignore();
        }

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
    public Task<PoolNodeReport> GetPoolReportAsync() => Task.FromResult(PoolReport());

    /// <inheritdoc />
    public async Task RepoolAsync()
    {
        if (!Known) return;
        await JoinPoolAsync();
        NotifyScheduler();
    }

    /// <summary>Finds the pool the labels match now; a node that moves tells its former pool it left.</summary>
    private async Task JoinPoolAsync()
    {
        var pool = await PoolOfAsync();
        if (_pool is not null && _pool != pool) GrainFactory.GetGrain<ISchedulerGrain>(_pool).NodeLeftAsync(Name).Ignore();
        _pool = pool;
    }

    private async Task<string> PoolOfAsync() =>
        (await GrainFactory.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).GetAsync()).Config.PoolFor(state.State.Labels);

    /// <inheritdoc />
    public async Task<NodeView> SetCordonedAsync(bool cordoned) => await CordonAsync(cordoned, draining: false);

    /// <inheritdoc />
    public async Task<NodeView> DrainAsync()
    {
        var view = await CordonAsync(true, draining: true);
        if (Known) logger.LogInformation("Node {Node} draining: {Count} step(s) still run there", Name, Allocations.Count);
        return view;
    }

    /// <summary>Cordon keeps a drain (a drain is a cordon that is also watched); uncordon ends both.</summary>
    private Task<NodeView> CordonAsync(bool cordoned, bool draining) => ExclusiveAsync(async () =>
    {
        if (!Known) return View();
        var s = state.State;
        var drain = cordoned && (draining || s.Draining);
        if (s.Cordoned != cordoned || s.Draining != drain)
        {
            s.Cordoned = cordoned;
            s.Draining = drain;
            await state.WriteStateAsync();
            _version++;
            NotifyScheduler();
        }

        return View();
    });

    private bool Schedulable => Known && _agent is not null && !state.State.Lost && !state.State.Cordoned;

    private bool Fits(AllocationRequest request, HashSet<int> taken, long cpuAllocated, long memoryAllocated)
    {
        var s = state.State;
        if (request.Gpus.Length != request.Resources.Gpus || request.Gpus.Distinct().Count() != request.Gpus.Length) return false;
        foreach (var index in request.Gpus)
        {
            var gpu = s.Gpus.Find(g => g.Index == index);
            if (taken.Contains(index) || gpu is null) return false;
            if (!ResourceFit.Matches(request.Resources, new GpuSlot(gpu.Index, gpu.Model, false))) return false;
        }

        return request.Resources.CpuMillis <= s.CpuMillis - cpuAllocated && request.Resources.MemoryBytes <= s.MemoryBytes - memoryAllocated;
    }

    private NodeCapacity Capacity()
    {
        var s = state.State;
        // Taken while durable or claimed: a GPU shows free only once its release is durable and no new claim holds it.
        var slots = s.Gpus.Select(g => new GpuSlot(g.Index, g.Model, _takenGpus.Contains(g.Index) || _claimedGpus.Contains(g.Index))).ToList();
        return new NodeCapacity(Name, Schedulable, slots, s.CpuMillis, s.MemoryBytes, s.CpuMillis - Math.Max(_cpuAllocated, _cpuClaimed),
            s.MemoryBytes - Math.Max(_memoryAllocated, _memoryClaimed), _version);
    }

    private NodeView View()
    {
        if (!Known) throw OrchestratorException.NotFound($"node {Name} has never registered; `orch nodes` lists the known nodes");
        var s = state.State;
        return new NodeView
        {
            Name = Name,
            Status = s.Lost ? NodeStatus.Lost : _agent is null ? NodeStatus.Disconnected : NodeStatus.Ready,
            Cordoned = s.Cordoned, Drain = !s.Draining ? NodeDrain.None : Allocations.Count > 0 ? NodeDrain.Draining : NodeDrain.Drained,
            Labels = s.Labels, Gpus = s.Gpus, Utilization = _utilization, CpuMillis = s.CpuMillis,
            MemoryBytes = s.MemoryBytes, Allocations = [.. Allocations.Values], LastHeartbeat = _agent is null ? null : _lastHeartbeat,
            Address = s.Address.Length > 0 ? s.Address : Name,
        };
    }

    private void NotifyScheduler()
    {
        _version++;
        if (_pool is not null) GrainFactory.GetGrain<ISchedulerGrain>(_pool).NodeReportedAsync(PoolReport()).Ignore();
    }

    private PoolNodeReport PoolReport()
    {
        if (!Known) return new PoolNodeReport { Node = Name, Unknown = true, Version = _version };
        var s = state.State;
        return new PoolNodeReport
        {
            Node = Name, Labels = s.Labels, GpuModel = s.Gpus.Count == 0 ? "" : s.Gpus.MinBy(g => g.Index)!.Model,
            GpuCount = s.Gpus.Count == 0 ? 0 : s.Gpus.Max(g => g.Index) + 1, CpuMillis = s.CpuMillis, MemoryBytes = s.MemoryBytes,
            Schedulable = Schedulable, Version = _version, Allocations = [.. Allocations.Values],
        };
    }

    private async Task CheckLeaseAsync(CancellationToken cancellationToken)
    {
        if (!LeaseExpired(out _)) return;
        await ExclusiveAsync(DeclareLostAsync);
    }

    private bool LeaseExpired(out TimeSpan silent)
    {
        silent = time.GetUtcNow() - _lastHeartbeat;
        return Known && !state.State.Lost && _broken is null && silent > options.Value.NodeLease;
    }

    private async Task DeclareLostAsync()
    {
        // A heartbeat may have come in while the writer finished.
        if (!LeaseExpired(out var silent)) return;

        logger.LogWarning("Node {Node} lost: no heartbeat for {Seconds:F1}s; retrying its {Count} step(s) elsewhere",
            Name, silent.TotalSeconds, Allocations.Count);
        var lost = Allocations.Values.ToList();
        state.State.Lost = true;
        await state.WriteStateAsync(CancellationToken.None);
        await ChangeAsync([.. lost.Select(a => new AllocationChange(a, Released: true))]);
        _agent = null;
        foreach (var allocation in lost)
        {
            GrainFactory.GetGrain<IRunGrain>(allocation.Step.RunId)
                .StepLostAsync(allocation.Step, $"node {Name} lost: no heartbeat for {silent.TotalSeconds:F0}s").Ignore();
        }

        NotifyScheduler();
    }
}
