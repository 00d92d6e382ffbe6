using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Scheduling;

/// <summary>What a node has and what is free on it, as the scheduler sees it.</summary>
public sealed class NodeCapacity
{
    /// <summary>Creates a capacity view.</summary>
    public NodeCapacity(string name, bool schedulable, IReadOnlyList<GpuSlot> gpus, long cpuMillis, long memoryBytes,
        long cpuMillisFree, long memoryBytesFree, long version)
    {
        Name = name;
        Schedulable = schedulable;
        Gpus = gpus;
        CpuMillis = cpuMillis;
        MemoryBytes = memoryBytes;
        CpuMillisFree = cpuMillisFree;
        MemoryBytesFree = memoryBytesFree;
        Version = version;
    }

    /// <summary>Node name.</summary>
    public string Name { get; }
    /// <summary>Connected, not lost, not cordoned.</summary>
    public bool Schedulable { get; }
    /// <summary>Every GPU and whether it is taken.</summary>
    public IReadOnlyList<GpuSlot> Gpus { get; }
    /// <summary>Total CPU in thousandths.</summary>
    public long CpuMillis { get; }
    /// <summary>Total memory.</summary>
    public long MemoryBytes { get; }
    /// <summary>Free CPU in thousandths.</summary>
    public long CpuMillisFree { get; }
    /// <summary>Free memory.</summary>
    public long MemoryBytesFree { get; }
    /// <summary>Increases with every change on the node, so an older view never overwrites a newer one.</summary>
    public long Version { get; }
}

/// <summary>One GPU of a node.</summary>
/// <param name="Index">Index on the node.</param>
/// <param name="Model">Model name.</param>
/// <param name="Allocated">Taken by a step.</param>
public readonly record struct GpuSlot(int Index, string Model, bool Allocated);

/// <summary>Decides where ready steps go. The one seam the scheduling issue replaces with the full policy set.</summary>
public interface IPlacementPolicy
{
    /// <summary>Places as many queued steps as fit, never giving one GPU to two steps. Does not modify its inputs.</summary>
    IReadOnlyList<Placement> Place(IReadOnlyCollection<PendingStep> queue, IReadOnlyCollection<NodeCapacity> nodes);
}

/// <summary>Whether a request can ever fit a node of this shape (used to explain a step that waits).</summary>
public static class ResourceFit
{
    /// <summary>True when the node's free resources hold the request right now.</summary>
    public static bool FitsNow(ResourceRequest request, long cpuFree, long memoryFree, IEnumerable<GpuSlot> gpus) =>
        request.CpuMillis <= cpuFree && request.MemoryBytes <= memoryFree && FreeMatching(request, gpus) >= request.Gpus;

    /// <summary>Free GPUs of the requested model (any model when the request names none).</summary>
    public static int FreeMatching(ResourceRequest request, IEnumerable<GpuSlot> gpus) =>
        gpus.Count(g => !g.Allocated && Matches(request, g));

    /// <summary>True when the GPU is of the requested model (case-insensitive), or any model is accepted.</summary>
    public static bool Matches(ResourceRequest request, GpuSlot gpu) =>
        request.GpuModel.Length == 0 || string.Equals(request.GpuModel, gpu.Model, StringComparison.OrdinalIgnoreCase);
}
