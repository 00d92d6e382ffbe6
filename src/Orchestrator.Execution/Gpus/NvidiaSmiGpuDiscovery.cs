using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Orchestrator.Execution.Processes;

namespace Orchestrator.Execution.Gpus;

/// <summary>Discovers NVIDIA GPUs by running <c>nvidia-smi</c>; a node without it (or without a working driver) has no GPUs.</summary>
public sealed class NvidiaSmiGpuDiscovery : IGpuDiscovery
{
    /// <summary>How long one query may take before it is killed.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly string _executable;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    /// <summary>Creates a discovery that runs <paramref name="executable"/> (a name searched on PATH, or a path).</summary>
    public NvidiaSmiGpuDiscovery(ILogger<NvidiaSmiGpuDiscovery>? logger = null, string executable = "nvidia-smi", TimeSpan? timeout = null)
    {
        _executable = executable;
        _timeout = timeout ?? DefaultTimeout;
        _logger = logger ?? NullLogger<NvidiaSmiGpuDiscovery>.Instance;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GpuInfo>> DiscoverAsync(CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new GpuInfo(r.Index, r.Uuid, r.Name, r.MemoryTotalBytes ?? 0, Simulated: false)).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GpuUtilizationSample>> SampleAsync(IReadOnlySet<int> busyIndices, CancellationToken cancellationToken = default)
    {
        // Real devices report what actually runs on them, which is what the control plane wants to see.
        var rows = await QueryAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new GpuUtilizationSample(r.Index, r.Utilization ?? 0, r.MemoryUsedBytes ?? 0)).ToList();
    }

    private async Task<IReadOnlyList<NvidiaSmiGpuRow>> QueryAsync(CancellationToken cancellationToken)
    {
        var path = ExecutableLocator.Find(_executable, Environment.GetEnvironmentVariable("PATH"), Environment.CurrentDirectory);
        if (path is null)
        {
            ExecutionLog.NvidiaSmiMissing(_logger, _executable);
            return [];
        }
        CapturedCommand.Result result;
        try
        {
            result = await CapturedCommand.RunAsync(
                path, [$"--query-gpu={NvidiaSmiCsv.QueryFields}", "--format=csv,nounits"], _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ExecutionLog.NvidiaSmiFailed(_logger, path, e.Message);
            return [];
        }
        if (result.ExitCode != 0)
        {
            var said = (result.Stderr.Trim().Length > 0 ? result.Stderr : result.Stdout).Trim();
            ExecutionLog.NvidiaSmiFailed(_logger, path, $"exit code {result.ExitCode}: {said}");
            return [];
        }
        var parsed = NvidiaSmiCsv.Parse(result.Stdout);
        foreach (var problem in parsed.Problems) ExecutionLog.NvidiaSmiOutputProblem(_logger, path, problem);
        return parsed.Gpus;
    }
}
