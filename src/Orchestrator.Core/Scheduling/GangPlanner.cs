namespace Orchestrator.Core.Scheduling;

/// <summary>Finds where a whole gang fits in the free capacity: one node if any can hold it (the tightest for best-fit,
/// the emptiest for spread), else the fewest nodes, preferring nodes that share a topology value. Plans only; the
/// caller commits the plan, so a partial allocation is never held.</summary>
internal static class GangPlanner
{
    /// <summary>Nodes and replica counts for <paramref name="shape"/>, or null when it does not fit now.</summary>
    public static List<(NodeState Node, int Replicas)>? Plan(FreeGpuIndex index, ShapeKey shape, PackingMode packing,
        BackfillReservation? reservation)
    {
        var buckets = index.For(shape.ModelKey);
        if (buckets is null || buckets.Nodes == 0) return null;
        if (shape.Gpus > 0 && buckets.FreeGpus < shape.Replicas * shape.Gpus) return null;

        var single = SingleNode(buckets, shape, packing, reservation);
        if (single is not null) return [(single, shape.Replicas)];
        return shape.Replicas > 1 ? FewestNodes(buckets, shape, reservation) : null;
    }

    /// <summary>Replicas of <paramref name="shape"/> a node can take now, within what a reservation leaves spare.</summary>
    public static int Capacity(NodeState node, ShapeKey shape, BackfillReservation? reservation)
    {
        var free = node.FreeGpus;
        if (reservation is not null) free = Math.Min(free, reservation.SpareOn(node));
        return shape.ReplicasIn(free, node.FreeCpu, node.FreeMemory);
    }

    private static NodeState? SingleNode(FreeGpuIndex.Buckets buckets, ShapeKey shape, PackingMode packing, BackfillReservation? reservation)
    {
        var need = shape.Replicas * shape.Gpus;
        if (need > buckets.Top) return null;
        if (packing == PackingMode.BestFit)
        {
            for (var free = need; free <= buckets.Top; free++)
            {
                if (FirstFitting(buckets.At(free), shape, reservation) is { } node) return node;
            }
        }
        else
        {
            for (var free = buckets.Top; free >= need; free--)
            {
                if (FirstFitting(buckets.At(free), shape, reservation) is { } node) return node;
            }
        }

        return null;
    }

    private static NodeState? FirstFitting(SortedSet<NodeState> bucket, ShapeKey shape, BackfillReservation? reservation)
    {
        if (bucket.Count == 0) return null;
        foreach (var node in bucket)
        {
            if (Capacity(node, shape, reservation) >= shape.Replicas) return node;
        }

        return null;
    }

    /// <summary>Largest nodes first gives the fewest nodes (n*). A topology domain whose own largest n* nodes hold the
    /// gang wins over a set spanning domains; the scan stops once no domain can still do it in n* nodes.</summary>
    private static List<(NodeState Node, int Replicas)>? FewestNodes(FreeGpuIndex.Buckets buckets, ShapeKey shape,
        BackfillReservation? reservation)
    {
        var global = new List<(NodeState Node, int Replicas)>();
        var globalSum = 0;
        var fewest = int.MaxValue;
        var domains = new Dictionary<string, Domain>(StringComparer.Ordinal);
        var lowest = Math.Max(shape.Gpus, 0);

        for (var free = buckets.Top; free >= lowest && free >= 0; free--)
        {
            var bucket = buckets.At(free);
            if (bucket.Count == 0) continue;
            var bucketCapacity = Math.Min(shape.Replicas, shape.Gpus > 0 ? free / shape.Gpus : shape.Replicas);
            if (fewest != int.MaxValue && !AnyDomainCanStillWin(domains.Values, fewest, bucketCapacity, shape.Replicas))
            {
                return global;
            }

            foreach (var node in bucket)
            {
                var capacity = Capacity(node, shape, reservation);
                if (capacity <= 0) continue;
                if (fewest == int.MaxValue)
                {
                    global.Add((node, Math.Min(capacity, shape.Replicas - globalSum)));
                    globalSum += capacity;
                    if (globalSum >= shape.Replicas) fewest = global.Count;
                }

                if (node.Topology.Length == 0) continue;
                if (!domains.TryGetValue(node.Topology, out var domain)) domains[node.Topology] = domain = new Domain();
                if (domain.Nodes.Count >= fewest || domain.Sum >= shape.Replicas) continue;
                domain.Nodes.Add((node, Math.Min(capacity, shape.Replicas - domain.Sum)));
                domain.Sum += capacity;
                if (domain.Sum >= shape.Replicas && domain.Nodes.Count <= fewest) return domain.Nodes;
            }
        }

        return fewest == int.MaxValue ? null : global;
    }

    private static bool AnyDomainCanStillWin(IEnumerable<Domain> domains, int fewest, int capacityPerNode, int replicas)
    {
        if ((long)fewest * capacityPerNode >= replicas) return true;
        foreach (var domain in domains)
        {
            if (domain.Nodes.Count < fewest && domain.Sum + ((long)(fewest - domain.Nodes.Count) * capacityPerNode) >= replicas) return true;
        }

        return false;
    }

    private sealed class Domain
    {
        public List<(NodeState Node, int Replicas)> Nodes { get; } = [];
        public int Sum { get; set; }
    }
}
