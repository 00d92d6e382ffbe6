using System.Globalization;

using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>A group of identical simulated nodes.</summary>
/// <param name="Count">How many nodes.</param>
/// <param name="GpusPerNode">GPUs on each.</param>
public sealed record NodeGroup(int Count, int GpusPerNode);

/// <summary>The simulated cluster: groups of identical nodes (<c>8x8,4x4</c>), racks of <see cref="NodesPerRack"/>.</summary>
/// <param name="Groups">Node groups, in the order given.</param>
/// <param name="NodesPerRack">Consecutive nodes share a rack label, this many to a rack.</param>
public sealed record SimulatedCluster(IReadOnlyList<NodeGroup> Groups, int NodesPerRack = 4)
{
    /// <summary>The label key of a node's rack (the pool's topology key).</summary>
    public const string RackLabel = "rack";

    /// <summary>GPU model of every simulated node.</summary>
    public const string GpuModel = "sim-gpu";

    /// <summary>All GPUs.</summary>
    public int TotalGpus => Groups.Sum(g => g.Count * g.GpusPerNode);

    /// <summary>The largest node's GPU count: gangs are cut into replicas of at most this many GPUs.</summary>
    public int LargestNode => Groups.Max(g => g.GpusPerNode);

    /// <summary>Parses <c>COUNTxGPUS[,COUNTxGPUS...]</c>, e.g. <c>8x8</c> or <c>8x8,4x4</c>.</summary>
    /// <exception cref="FormatException">The text names the problem and the expected form.</exception>
    public static SimulatedCluster Parse(string text, int nodesPerRack = 4)
    {
        if (nodesPerRack < 1) throw new FormatException($"nodes per rack must be at least 1, not {nodesPerRack}");
        if (string.IsNullOrWhiteSpace(text)) throw new FormatException("--nodes is empty; give COUNTxGPUS, e.g. 8x8 for 8 nodes of 8 GPUs");
        var groups = new List<NodeGroup>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('x', 'X');
            if (pieces.Length != 2
                || !int.TryParse(pieces[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || !int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gpus))
            {
                throw new FormatException($"'{part}' is not COUNTxGPUS; write e.g. 8x8 for 8 nodes of 8 GPUs, or 8x8,4x4 for two groups");
            }

            if (count < 1 || gpus < 1) throw new FormatException($"'{part}': node count and GPUs per node must both be at least 1");
            if (count > 100_000 || gpus > 1024) throw new FormatException($"'{part}': at most 100000 nodes of at most 1024 GPUs per group");
            groups.Add(new NodeGroup(count, gpus));
        }

        return new SimulatedCluster(groups, nodesPerRack);
    }

    /// <summary>The nodes: <c>node-0001</c>… in group order, rack label <c>rack-01</c>… by consecutive groups of
    /// <see cref="NodesPerRack"/>.</summary>
    public IReadOnlyList<NodeSpec> Nodes()
    {
        var nodes = new List<NodeSpec>();
        foreach (var group in Groups)
        {
            for (var i = 0; i < group.Count; i++)
            {
                var n = nodes.Count;
                var labels = new Dictionary<string, string> { [RackLabel] = $"rack-{(n / NodesPerRack) + 1:D2}" };

                // CPU and memory are ample: traces give GPUs only, so GPUs are the one resource that binds.
                nodes.Add(new NodeSpec($"node-{n + 1:D4}", labels, GpuModel, group.GpusPerNode, 1_000_000, 1L << 50));
            }
        }

        return nodes;
    }

    /// <summary>The gang a job of <paramref name="gpus"/> GPUs asks for: one replica when it fits on the largest node
    /// (N GPUs); else replicas of N when N divides it; else replicas of the largest divisor of it that is at most N.</summary>
    public GangShape ShapeFor(int gpus) => Shape(gpus, LargestNode);

    /// <summary>The gang shape of <paramref name="gpus"/> GPUs on nodes of <paramref name="gpusPerNode"/> GPUs.</summary>
    public static GangShape Shape(int gpus, int gpusPerNode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gpus, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(gpusPerNode, 1);
        var perReplica = gpus <= gpusPerNode ? gpus : LargestDivisorAtMost(gpus, gpusPerNode);
        return new GangShape(gpus / perReplica, new ResourceRequest(0, 0, perReplica, ""));
    }

    /// <summary>Whether the gang can ever be placed: enough nodes hold enough replicas when the cluster is empty.</summary>
    public bool CanEverHold(GangShape shape) =>
        Groups.Where(g => g.GpusPerNode >= shape.PerReplica.Gpus)
            .Sum(g => (long)g.Count * (g.GpusPerNode / shape.PerReplica.Gpus)) >= shape.Replicas;

    private static int LargestDivisorAtMost(int value, int limit)
    {
        for (var d = limit; d > 1; d--)
        {
            if (value % d == 0) return d;
        }

        return 1;
    }
}
