using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Execution.Gpus;

/// <summary>Pretend GPUs for nodes without any (<c>--simulate-gpus N</c>): scheduling and tests see real-looking devices.</summary>
public sealed class SimulatedGpus : IGpuDiscovery
{
    /// <summary>Memory of each simulated GPU unless told otherwise: 80 GiB.</summary>
    public const long DefaultMemoryBytes = 80L << 30;

    /// <summary>Model name unless told otherwise.</summary>
    public const string DefaultModel = "Simulated GPU";

    private readonly IReadOnlyList<GpuInfo> _gpus;

    /// <summary>Creates <paramref name="count"/> GPUs whose uuids depend only on <paramref name="nodeName"/> and the index.</summary>
    public SimulatedGpus(string nodeName, int count, string model = DefaultModel, long memoryBytes = DefaultMemoryBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBytes);
        _gpus = Enumerable.Range(0, count)
            .Select(i => new GpuInfo(i, StableUuid(nodeName, i), model, memoryBytes, Simulated: true))
            .ToList();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<GpuInfo>> DiscoverAsync(CancellationToken cancellationToken = default) => Task.FromResult(_gpus);

    /// <inheritdoc />
    public Task<IReadOnlyList<GpuUtilizationSample>> SampleAsync(IReadOnlySet<int> busyIndices, CancellationToken cancellationToken = default)
    {
        // A held simulated GPU counts as fully busy so that dashboards and the scheduler see the allocation.
        IReadOnlyList<GpuUtilizationSample> samples = _gpus
            .Select(g => new GpuUtilizationSample(g.Index, busyIndices.Contains(g.Index) ? 1.0 : 0.0, MemoryUsedBytes: 0))
            .ToList();
        return Task.FromResult(samples);
    }

    private static string StableUuid(string nodeName, int index)
    {
        // The same node restarted must register the same devices, so the uuid is derived, not random.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{nodeName}/{index}"));
        return "GPU-" + new Guid(hash.AsSpan(0, 16)).ToString("D");
    }
}
