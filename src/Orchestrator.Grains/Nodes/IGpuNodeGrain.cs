using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;

namespace Orchestrator.Grains.Nodes;

/// <summary>One GPU node (key: node name): inventory, labels, lease, allocations, utilization.</summary>
public interface IGpuNodeGrain : IGrainWithStringKey
{
    /// <summary>An agent connects (or reconnects) with its inventory and the attempts it runs now.</summary>
    Task<NodeRegistered> RegisterAsync(NodeRegistration registration, IAgentObserver agent);

    /// <summary>A heartbeat; false when the agent must register again (the node was lost or forgotten). Interleaves with
    /// the node's other calls (it only touches memory), so a node busy writing allocations is never declared lost.</summary>
    [AlwaysInterleave]
    Task<bool> HeartbeatAsync(List<GpuSampleInfo> samples, IAgentObserver agent);

    /// <summary>The agent's stream closed.</summary>
    Task DisconnectAsync(IAgentObserver agent);

    /// <summary>Holds resources for step attempts, all checked against the node's own (authoritative) state; answers once
    /// the accepted ones are durable. Interleaves with other allocations and releases, which share the node's next
    /// journal write (group commit), so a busy node pays one flush per batch, not one per call.</summary>
    [AlwaysInterleave]
    Task<AllocationResult> AllocateAsync(List<AllocationRequest> requests);

    /// <summary>Frees attempts' resources, durably before it returns and before the scheduler hears of it; with
    /// <paramref name="stopProcess"/>, also tells the agent to stop them. Interleaves like <see cref="AllocateAsync"/>.</summary>
    [AlwaysInterleave]
    Task ReleaseAsync(List<StepRef> steps, bool stopProcess);

    /// <summary>Frees the resources of attempts that succeeded; the scheduler adds their run time to its duration history.
    /// Interleaves like <see cref="AllocateAsync"/>.</summary>
    [AlwaysInterleave]
    Task ReleaseSucceededAsync(List<StepRef> steps);

    /// <summary>Sends attempts to the agent.</summary>
    Task StartStepsAsync(List<StepAssignment> assignments);

    /// <summary>Tells the agent to stop an attempt.</summary>
    Task CancelStepAsync(StepRef step, TimeSpan grace, string reason);

    /// <summary>What the scheduler sees of the node.</summary>
    Task<NodeCapacity> GetCapacityAsync();

    /// <summary>The admin view.</summary>
    Task<NodeView> GetAsync();

    /// <summary>What the pool's scheduler sees of the node, allocations included.</summary>
    Task<PoolNodeReport> GetPoolReportAsync();

    /// <summary>The scheduling configuration changed: join the pool the node's labels now match.</summary>
    Task RepoolAsync();

    /// <summary>Stops (or resumes) placing new steps on the node.</summary>
    Task<NodeView> SetCordonedAsync(bool cordoned);

    /// <summary>Cordons the node and lets its running steps finish: draining while any run, then drained (out of
    /// placement, still registered). <see cref="SetCordonedAsync"/> with false ends the drain.</summary>
    Task<NodeView> DrainAsync();
}
