
namespace Orchestrator.Core.Scheduling;

/// <summary>The simple correct scheduler: ready steps in priority then arrival order, each on the first node (by name)
/// whose free GPUs, CPU and memory fit, with the lowest free GPU indices of the requested model.</summary>
/// <remarks>A step that fits nowhere does not block the ones behind it. O(queue × nodes) per pass.</remarks>
public sealed class FirstFitPlacement : IPlacementPolicy
{
    /// <inheritdoc />
    public IReadOnlyList<Placement> Place(IReadOnlyCollection<PendingStep> queue, IReadOnlyCollection<NodeCapacity> nodes)
    {
        var free = nodes.Where(n => n.Schedulable).OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => new FreeNode(n)).ToList();
        var placements = new List<Placement>();
        if (free.Count == 0) return placements;

        foreach (var step in queue.OrderByDescending(s => s.Priority).ThenBy(s => s.Sequence))
        {
            foreach (var node in free)
            {
                var gpus = node.TryTake(step);
                if (gpus is null) continue;
                placements.Add(new Placement(step, node.Name, gpus));
                break;
            }
        }

        return placements;
    }

    /// <summary>A node's free resources during one pass.</summary>
    private sealed class FreeNode(NodeCapacity node)
    {
        private readonly GpuSlot[] _gpus = [.. node.Gpus.OrderBy(g => g.Index)];
        private long _cpu = node.CpuMillisFree;
        private long _memory = node.MemoryBytesFree;

        public string Name => node.Name;

        public IReadOnlyList<int>? TryTake(PendingStep step)
        {
            var request = step.Resources;
            if (!ResourceFit.FitsNow(request, _cpu, _memory, _gpus)) return null;
            var taken = new List<int>(request.Gpus);
            for (var i = 0; i < _gpus.Length && taken.Count < request.Gpus; i++)
            {
                if (_gpus[i].Allocated || !ResourceFit.Matches(request, _gpus[i])) continue;
                taken.Add(_gpus[i].Index);
                _gpus[i] = _gpus[i] with { Allocated = true };
            }

            _cpu -= request.CpuMillis;
            _memory -= request.MemoryBytes;
            return taken;
        }
    }
}
