using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Scheduling;

/// <summary>A step attempt waiting for a node.</summary>
/// <param name="Step">Which attempt.</param>
/// <param name="Resources">What it needs.</param>
/// <param name="Priority">Higher goes first.</param>
/// <param name="Sequence">Arrival order, for ties.</param>
/// <param name="Tenant">Owning tenant.</param>
public sealed record PendingStep(StepRef Step, ResourceRequest Resources, int Priority, long Sequence, string Tenant);

/// <summary>A decision: this step attempt goes to this node with exactly these GPUs.</summary>
/// <param name="Step">The pending step.</param>
/// <param name="Node">Node name.</param>
/// <param name="GpuIndices">GPU indices on that node, ascending.</param>
public sealed record Placement(PendingStep Step, string Node, IReadOnlyList<int> GpuIndices);
