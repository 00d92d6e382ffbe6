using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Agent;

/// <summary>A step attempt this agent is running.</summary>
/// <param name="Step">Which attempt.</param>
/// <param name="ProcessId">Its process (and process-group) id; 0 while inputs are still being prepared.</param>
/// <param name="GpuIndices">GPUs it holds.</param>
public sealed record AgentStepStatus(StepRef Step, int ProcessId, IReadOnlyList<int> GpuIndices);
