namespace Orchestrator.Core.Scheduling;

/// <summary>Plans a gang on the free capacity plus what some running jobs would free (victims of a preemption, or jobs
/// expected to end before a reservation's start). Only the nodes those jobs use are looked at one by one; the rest
/// comes from the free index, largest first, so the cost follows the gang and the jobs, not the pool.</summary>
internal static class HypotheticalPlanner
{
    public static List<(NodeState Node, int Replicas)>? Plan(FreeGpuIndex index, ShapeKey shape, PackingMode packing,
        Dictionary<NodeState, Resources> extra)
    {
        NodeState? single = null;
        var singleFree = 0;
        var candidates = new List<(NodeState Node, int Capacity)>();
        foreach (var (node, freed) in extra)
        {
            var capacity = shape.ReplicasIn(node.FreeGpus + freed.Gpus, node.FreeCpu + freed.CpuMillis, node.FreeMemory + freed.MemoryBytes);
            if (capacity <= 0) continue;
            candidates.Add((node, capacity));
            var free = node.FreeGpus + freed.Gpus;
            if (capacity >= shape.Replicas && (single is null || (packing == PackingMode.BestFit ? free < singleFree : free > singleFree)))
            {
                single = node;
                singleFree = free;
            }
        }

        if (single is not null) return [(single, shape.Replicas)];
        if (shape.Replicas == 1 || candidates.Count == 0) return null;

        var buckets = index.For(shape.ModelKey);
        var fromIndex = 0;
        if (buckets is not null)
        {
            for (var free = buckets.Top; free >= Math.Max(1, shape.Gpus) && fromIndex < shape.Replicas; free--)
            {
                foreach (var node in buckets.At(free))
                {
                    if (extra.ContainsKey(node)) continue;
                    var capacity = shape.ReplicasIn(node.FreeGpus, node.FreeCpu, node.FreeMemory);
                    if (capacity <= 0) continue;
                    candidates.Add((node, capacity));
                    fromIndex += capacity;
                    if (fromIndex >= shape.Replicas) break;
                }
            }
        }

        candidates.Sort((a, b) => b.Capacity.CompareTo(a.Capacity));
        var plan = new List<(NodeState Node, int Replicas)>();
        var left = shape.Replicas;
        foreach (var (node, capacity) in candidates)
        {
            var take = Math.Min(capacity, left);
            plan.Add((node, take));
            left -= take;
            if (left == 0) return plan;
        }

        return null;
    }

    /// <summary>What <paramref name="job"/> would free on nodes that can serve <paramref name="shape"/>.</summary>
    public static void AddFreed(Dictionary<NodeState, Resources> extra, RunningJob job, ShapeKey shape, Func<string, NodeState?> nodeNamed)
    {
        foreach (var replica in job.Replicas)
        {
            if (nodeNamed(replica.Node) is not { } node || !node.Schedulable) continue;
            if (shape.ModelKey.Length > 0 && node.ModelKey != shape.ModelKey) continue;
            var gpus = 0;
            foreach (var gpu in replica.GpuIndices)
            {
                if (gpu < node.Spec.GpuCount && node.Holder[gpu] == job.Id && node.HeldFor[gpu] is null) gpus++;
            }

            var freed = new Resources(gpus, job.Request.Shape.PerReplica.CpuMillis, job.Request.Shape.PerReplica.MemoryBytes);
            extra[node] = extra.TryGetValue(node, out var sum) ? sum + freed : freed;
        }
    }

    /// <summary>Whether the job has a replica on a node that can serve the shape.</summary>
    public static bool Touches(RunningJob job, ShapeKey shape, Func<string, NodeState?> nodeNamed)
    {
        foreach (var replica in job.Replicas)
        {
            if (nodeNamed(replica.Node) is { Schedulable: true } node && (shape.ModelKey.Length == 0 || node.ModelKey == shape.ModelKey)) return true;
        }

        return false;
    }
}
