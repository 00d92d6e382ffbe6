namespace Orchestrator.Core.Runs;

/// <summary>Where one process of a step attempt runs: its replica number (its rank in the gang), node and GPUs.</summary>
/// <param name="Replica">0 .. replicas - 1; replica 0 is the gang's rendezvous (MASTER_ADDR) and reports its outputs.</param>
/// <param name="Node">The node.</param>
/// <param name="Gpus">GPU indices on that node.</param>
public sealed record ReplicaSlot(int Replica, string Node, IReadOnlyList<int> Gpus);
