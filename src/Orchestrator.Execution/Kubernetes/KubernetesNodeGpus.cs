using System.Security.Cryptography;
using System.Text;

using Orchestrator.Execution.Gpus;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>A Kubernetes node's GPUs as the agent registers them: as many as it has allocatable. The indices only count
/// GPUs (the device plugin picks the devices a pod gets), so a held GPU is reported busy without sampling it.</summary>
public sealed class KubernetesNodeGpus : IGpuDiscovery
{
    private readonly IReadOnlyList<GpuInfo> _gpus;

    /// <summary>Creates the GPUs of <paramref name="node"/>.</summary>
    public KubernetesNodeGpus(KubernetesGpuNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _gpus = Enumerable.Range(0, node.Gpus)
            .Select(i => new GpuInfo(i, StableUuid(node.Name, i), node.GpuModel, node.GpuMemoryBytes, Simulated: false))
            .ToList();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<GpuInfo>> DiscoverAsync(CancellationToken cancellationToken = default) => Task.FromResult(_gpus);

    /// <inheritdoc />
    public Task<IReadOnlyList<GpuUtilizationSample>> SampleAsync(IReadOnlySet<int> busyIndices, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GpuUtilizationSample> samples = _gpus
            .Select(g => new GpuUtilizationSample(g.Index, busyIndices.Contains(g.Index) ? 1.0 : 0.0, MemoryUsedBytes: 0))
            .ToList();
        return Task.FromResult(samples);
    }

    private static string StableUuid(string nodeName, int index)
    {
        // Kubernetes does not tell which device is which; a uuid derived from node and slot keeps re-registration stable.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"kubernetes/{nodeName}/{index}"));
        return "K8S-" + new Guid(hash.AsSpan(0, 16)).ToString("D");
    }
}
