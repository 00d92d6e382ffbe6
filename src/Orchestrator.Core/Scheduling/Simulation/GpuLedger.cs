namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>The simulator's own record of which job holds each GPU, kept apart from the core's so that a placement
/// the core gets wrong (an unknown node, a GPU given twice) stops the run with a message instead of skewing figures.</summary>
internal sealed class GpuLedger
{
    private readonly Dictionary<string, string?[]> holders = new(StringComparer.Ordinal);

    /// <summary>Creates the ledger for <paramref name="nodes"/>, all GPUs free.</summary>
    public GpuLedger(IEnumerable<NodeSpec> nodes)
    {
        foreach (var node in nodes) holders[node.Name] = new string?[node.GpuCount];
    }

    /// <summary>Gives the replica's GPUs to <paramref name="job"/>; returns the problem when that is impossible.</summary>
    public string? Take(ReplicaPlacement replica, string job)
    {
        if (!holders.TryGetValue(replica.Node, out var gpus)) return $"placed on unknown node {replica.Node}";
        foreach (var index in replica.GpuIndices)
        {
            if (index < 0 || index >= gpus.Length) return $"placed on GPU {index} of {replica.Node}, which has {gpus.Length}";
            if (gpus[index] is { } holder) return $"placed on GPU {index} of {replica.Node}, which job {holder} holds";
        }

        foreach (var index in replica.GpuIndices) gpus[index] = job;
        return null;
    }

    /// <summary>Frees the replica's GPUs.</summary>
    public void Free(ReplicaPlacement replica)
    {
        var gpus = holders[replica.Node];
        foreach (var index in replica.GpuIndices) gpus[index] = null;
    }
}
