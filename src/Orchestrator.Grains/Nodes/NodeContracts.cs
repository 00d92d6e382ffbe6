using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

namespace Orchestrator.Grains.Nodes;

/// <summary>One GPU as an agent reports it.</summary>
[GenerateSerializer]
[Alias("orch.gpu-device")]
public sealed record GpuDeviceInfo(
    [property: Id(0)] int Index,
    [property: Id(1)] string Uuid,
    [property: Id(2)] string Model,
    [property: Id(3)] long MemoryBytes,
    [property: Id(4)] bool Simulated);

/// <summary>A GPU's utilization sample.</summary>
[GenerateSerializer]
[Alias("orch.gpu-sample")]
public sealed record GpuSampleInfo([property: Id(0)] int Index, [property: Id(1)] double Utilization, [property: Id(2)] long MemoryUsedBytes);

/// <summary>What an agent registers with.</summary>
[GenerateSerializer]
[Alias("orch.node-registration")]
public sealed record NodeRegistration
{
    /// <summary>Node name.</summary>
    [Id(0)] public required string Node { get; init; }
    /// <summary>Labels.</summary>
    [Id(1)] public Dictionary<string, string> Labels { get; init; } = [];
    /// <summary>GPU inventory.</summary>
    [Id(2)] public List<GpuDeviceInfo> Gpus { get; init; } = [];
    /// <summary>CPU in thousandths.</summary>
    [Id(3)] public long CpuMillis { get; init; }
    /// <summary>Memory.</summary>
    [Id(4)] public long MemoryBytes { get; init; }
    /// <summary>Step attempts the agent runs now.</summary>
    [Id(5)] public List<StepRef> Running { get; init; } = [];
    /// <summary>Agent version.</summary>
    [Id(6)] public string AgentVersion { get; init; } = "";
    /// <summary>Where other nodes reach this one; empty when the agent did not say.</summary>
    [Id(7)] public string Address { get; init; } = "";
}

/// <summary>What the control plane answers a registration with.</summary>
[GenerateSerializer]
[Alias("orch.node-registered")]
public sealed record NodeRegistered([property: Id(0)] TimeSpan HeartbeatInterval, [property: Id(1)] TimeSpan Lease);

/// <summary>GPUs, CPU and memory held by one step attempt on a node.</summary>
[GenerateSerializer]
[Alias("orch.allocation")]
public sealed record AllocationRecord
{
    /// <summary>The attempt.</summary>
    [Id(0)] public required StepRef Step { get; init; }
    /// <summary>GPU indices.</summary>
    [Id(1)] public int[] Gpus { get; init; } = [];
    /// <summary>CPU in thousandths.</summary>
    [Id(2)] public long CpuMillis { get; init; }
    /// <summary>Memory.</summary>
    [Id(3)] public long MemoryBytes { get; init; }
    /// <summary>Since when.</summary>
    [Id(4)] public DateTimeOffset Since { get; init; }
    /// <summary>What the pool's scheduler needs to rebuild its view after a restart; null for allocations written
    /// before pools existed (the scheduler then restores them as the default tenant's work).</summary>
    [Id(5)] public AllocationJob? Job { get; init; }
}

/// <summary>The scheduling facts of an allocated attempt, stored with its allocation.</summary>
/// <param name="Pool">The pool whose scheduler placed it.</param>
/// <param name="Tenant">Owning tenant.</param>
/// <param name="Priority">Resolved priority.</param>
/// <param name="GpuModel">Requested GPU model, "" for any.</param>
/// <param name="ReadySince">When the step first became ready.</param>
/// <param name="ExpectedDuration">The step's expected duration, or null.</param>
/// <param name="HistoryKey">Pipeline + "/" + step name.</param>
[GenerateSerializer]
[Alias("orch.allocation-job")]
public sealed record AllocationJob(
    [property: Id(0)] string Pool,
    [property: Id(1)] string Tenant,
    [property: Id(2)] int Priority,
    [property: Id(3)] string GpuModel,
    [property: Id(4)] DateTimeOffset ReadySince,
    [property: Id(5)] TimeSpan? ExpectedDuration,
    [property: Id(6)] string HistoryKey);

/// <summary>What a node tells its pool's scheduler: its shape, whether it takes new work, and what it holds.</summary>
[GenerateSerializer]
[Alias("orch.pool-node-report")]
public sealed record PoolNodeReport
{
    /// <summary>Node name.</summary>
    [Id(0)] public required string Node { get; init; }
    /// <summary>Labels.</summary>
    [Id(1)] public Dictionary<string, string> Labels { get; init; } = [];
    /// <summary>Model of its GPUs (of the first, when mixed).</summary>
    [Id(2)] public string GpuModel { get; init; } = "";
    /// <summary>GPUs, indexed 0..GpuCount-1.</summary>
    [Id(3)] public int GpuCount { get; init; }
    /// <summary>CPU in thousandths.</summary>
    [Id(4)] public long CpuMillis { get; init; }
    /// <summary>Memory.</summary>
    [Id(5)] public long MemoryBytes { get; init; }
    /// <summary>Connected, not lost, not cordoned, not draining.</summary>
    [Id(6)] public bool Schedulable { get; init; }
    /// <summary>Orders reports: an older one never overwrites a newer one.</summary>
    [Id(7)] public long Version { get; init; }
    /// <summary>Every allocation the node holds now (the authority).</summary>
    [Id(8)] public List<AllocationRecord> Allocations { get; init; } = [];
    /// <summary>Never registered: the scheduler forgets it.</summary>
    [Id(9)] public bool Unknown { get; init; }
}

/// <summary>The scheduler asks a node to hold resources for an attempt.</summary>
[GenerateSerializer]
[Alias("orch.allocation-request")]
public sealed record AllocationRequest(
    [property: Id(0)] StepRef Step,
    [property: Id(1)] ResourceRequest Resources,
    [property: Id(2)] int[] Gpus,
    [property: Id(3)] AllocationJob? Job = null);

/// <summary>Which requests a node accepted, and its capacity after them.</summary>
[GenerateSerializer]
[Alias("orch.allocation-result")]
public sealed record AllocationResult(
    [property: Id(0)] List<StepRef> Accepted,
    [property: Id(1)] List<StepRef> Rejected,
    [property: Id(2)] Core.Scheduling.NodeCapacity Capacity);

/// <summary>A step attempt (for a gang, one of its processes: <see cref="StepRef.Replica"/>) for an agent to run.</summary>
[GenerateSerializer]
[Alias("orch.step-assignment")]
public sealed record StepAssignment(
    [property: Id(0)] StepRef Step,
    [property: Id(1)] string Pipeline,
    [property: Id(2)] ResolvedStep Resolved,
    [property: Id(3)] int[] Gpus,
    [property: Id(4)] GangAssignment? Gang = null);

/// <summary>How one process of a gang finds the others: its rank, their number, and replica 0's rendezvous.</summary>
/// <param name="Replica">Its rank.</param>
/// <param name="Replicas">Processes in the gang.</param>
/// <param name="MasterAddress">Address of replica 0's node.</param>
/// <param name="MasterPort">Rendezvous port, the same for the whole gang.</param>
[GenerateSerializer]
[Alias("orch.gang-assignment")]
public sealed record GangAssignment(
    [property: Id(0)] int Replica,
    [property: Id(1)] int Replicas,
    [property: Id(2)] string MasterAddress,
    [property: Id(3)] int MasterPort);

/// <summary>The admin view of a node.</summary>
[GenerateSerializer]
[Alias("orch.node-view")]
public sealed record NodeView
{
    /// <summary>Name.</summary>
    [Id(0)] public required string Name { get; init; }
    /// <summary>Ready, Disconnected or Lost.</summary>
    [Id(1)] public NodeStatus Status { get; init; }
    /// <summary>Cordoned.</summary>
    [Id(2)] public bool Cordoned { get; init; }
    /// <summary>Labels.</summary>
    [Id(3)] public Dictionary<string, string> Labels { get; init; } = [];
    /// <summary>GPUs.</summary>
    [Id(4)] public List<GpuDeviceInfo> Gpus { get; init; } = [];
    /// <summary>Utilization.</summary>
    [Id(5)] public List<GpuSampleInfo> Utilization { get; init; } = [];
    /// <summary>CPU.</summary>
    [Id(6)] public long CpuMillis { get; init; }
    /// <summary>Memory.</summary>
    [Id(7)] public long MemoryBytes { get; init; }
    /// <summary>Allocations.</summary>
    [Id(8)] public List<AllocationRecord> Allocations { get; init; } = [];
    /// <summary>Last heartbeat.</summary>
    [Id(9)] public DateTimeOffset? LastHeartbeat { get; init; }
    /// <summary>Where a drain stands.</summary>
    [Id(10)] public NodeDrain Drain { get; init; }
    /// <summary>Where other nodes reach it (its agent's advertised address).</summary>
    [Id(11)] public string Address { get; init; } = "";
}

/// <summary>Where a node's drain stands.</summary>
public enum NodeDrain
{
    /// <summary>Not being drained.</summary>
    None,
    /// <summary>Cordoned; steps still run there.</summary>
    Draining,
    /// <summary>Cordoned and empty: out of placement, still registered.</summary>
    Drained,
}

/// <summary>A node's connection state.</summary>
public enum NodeStatus
{
    /// <summary>Agent connected, lease current.</summary>
    Ready = 1,
    /// <summary>Lease expired; its steps were retried elsewhere.</summary>
    Lost,
    /// <summary>No agent stream right now (lease still running, or never connected since a restart).</summary>
    Disconnected,
}

/// <summary>The agent's end of a node: the gateway implements it over the agent's gRPC stream.</summary>
public interface IAgentObserver : IGrainObserver
{
    /// <summary>Run a step attempt.</summary>
    [OneWay]
    Task AssignAsync(StepAssignment assignment);

    /// <summary>Stop a step attempt: SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    [OneWay]
    Task CancelAsync(StepRef step, TimeSpan grace, string reason);
}
