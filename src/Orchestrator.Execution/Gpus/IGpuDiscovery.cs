namespace Orchestrator.Execution.Gpus;

/// <summary>Finds this node's GPUs and samples their utilization for heartbeats.</summary>
public interface IGpuDiscovery
{
    /// <summary>The node's GPUs; empty when it has none (or the driver cannot be queried). Never throws for a missing driver.</summary>
    Task<IReadOnlyList<GpuInfo>> DiscoverAsync(CancellationToken cancellationToken = default);

    /// <summary>One utilization sample per GPU; <paramref name="busyIndices"/> are the GPUs steps hold now.</summary>
    Task<IReadOnlyList<GpuUtilizationSample>> SampleAsync(IReadOnlySet<int> busyIndices, CancellationToken cancellationToken = default);
}
