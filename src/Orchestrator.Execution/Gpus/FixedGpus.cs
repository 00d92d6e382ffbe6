using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Execution.Gpus;

/// <summary>GPUs known from a count rather than read from the devices (simulated ones, a Kubernetes node's allocatable):
/// a fixed list with uuids derived from the node and the slot, so a node that registers again names the same devices,
/// and a held GPU reported fully busy, since there is nothing to sample.</summary>
public abstract class FixedGpus : IGpuDiscovery
{
    private readonly IReadOnlyList<GpuInfo> _gpus;

    /// <summary>Creates <paramref name="count"/> GPUs of one model; each uuid is <paramref name="uuidPrefix"/> and a
    /// digest of <paramref name="uuidKey"/>, a slash and the index.</summary>
    protected FixedGpus(int count, string uuidPrefix, string uuidKey, string model, long memoryBytes, bool simulated)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _gpus = Enumerable.Range(0, count)
            .Select(i => new GpuInfo(i, StableUuid(uuidPrefix, uuidKey, i), model, memoryBytes, simulated))
            .ToList();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<GpuInfo>> DiscoverAsync(CancellationToken cancellationToken = default) => Task.FromResult(_gpus);

    /// <inheritdoc />
    public Task<IReadOnlyList<GpuUtilizationSample>> SampleAsync(IReadOnlySet<int> busyIndices, CancellationToken cancellationToken = default)
    {
        // A held GPU counts as fully busy so that dashboards and the scheduler see the allocation.
        IReadOnlyList<GpuUtilizationSample> samples = _gpus
            .Select(g => new GpuUtilizationSample(g.Index, busyIndices.Contains(g.Index) ? 1.0 : 0.0, MemoryUsedBytes: 0))
            .ToList();
        return Task.FromResult(samples);
    }

    private static string StableUuid(string prefix, string key, int index)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{key}/{index}"));
        return prefix + new Guid(hash.AsSpan(0, 16)).ToString("D");
    }
}
