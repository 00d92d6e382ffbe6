using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Orchestrator.Contracts.V1;

namespace Orchestrator.EndToEnd.Tests.Harness;

/// <summary>The real server as a process on free loopback ports, with a data directory that outlives restarts.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private readonly int[] _ports;
    private ChildProcess? _process;
    private GrpcChannel? _channel;

    private ServerProcess(string dataDirectory, string[] extraArguments)
    {
        DataDirectory = dataDirectory;
        _extraArguments = extraArguments;
        _ports = FreePorts.Take(4);
    }

    public string DataDirectory { get; }

    public int GrpcPort => _ports[0];

    public int HttpPort => _ports[1];

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("not started");

    public PipelineService.PipelineServiceClient Pipelines => new(Channel);

    public RunService.RunServiceClient Runs => new(Channel);

    public NodeService.NodeServiceClient Nodes => new(Channel);

    public ModelService.ModelServiceClient Models => new(Channel);

    /// <summary>MonitoringService over the channel.</summary>
    public MonitoringService.MonitoringServiceClient Monitoring => new(Channel);

    /// <summary>A client of the rollout service.</summary>
    public RolloutService.RolloutServiceClient Rollouts => new(Channel);

    /// <summary>RetrainingService over the channel.</summary>
    public RetrainingService.RetrainingServiceClient Retraining => new(Channel);

    public string Output => _process?.Output ?? "";

    /// <summary>Starts a server with a fresh data directory; <paramref name="arguments"/> are extra command-line settings.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] arguments)
    {
        var dir = Path.Combine(Path.GetTempPath(), "orch-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var server = new ServerProcess(dir, arguments);
        try
        {
            await server.StartAgainAsync();
        }
        catch
        {
            // A server that never became SERVING is still a process: stop it before reporting why.
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>(Re)starts the process on the same data directory and ports, and waits until it is SERVING.</summary>
    public async Task StartAgainAsync()
    {
        string[] args =
        [
            "--data-dir", DataDirectory,
            "--grpc-port", GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--http-port", HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--silo-port", _ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", _ports[3].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--node-name", "e2e-node",
            .. _extraArguments,
        ];
        _process = ChildProcess.StartDotnet(Repo.ServerDll, args);
        _channel?.Dispose();
        _channel = GrpcChannel.ForAddress(GrpcAddress);
        var health = new Health.HealthClient(_channel);
        await Eventually.Until(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{_process.Output}");
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }, TimeSpan.FromSeconds(90), "the server to report SERVING\n" + _process.Output);
    }

    /// <summary>SIGKILL the server: no shutdown, as in a crash or an OOM kill.</summary>
    public async Task KillHardAsync()
    {
        if (_process is not null) await _process.KillHardAsync();
    }

    /// <summary>Waits until a node with at least one GPU is ready.</summary>
    public Task WaitForNodeAsync(string node = "e2e-node") => Eventually.Until(async () =>
    {
        var nodes = await Nodes.ListNodesAsync(new ListNodesRequest());
        return nodes.Nodes.Any(n => n.Name == node && n.State == NodeState.Ready);
    }, TimeSpan.FromSeconds(60), $"node {node} to be ready");

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_process is not null) await _process.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    /// <summary>Checks a call fails with the status and a message containing each fragment.</summary>
    public static async Task<RpcException> ExpectStatus(StatusCode code, Func<Task> call, params string[] fragments)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(code == error.StatusCode, $"expected {code}, got {error.StatusCode}: {error.Status.Detail}");
        foreach (var f in fragments) Assert.Contains(f, error.Status.Detail, StringComparison.Ordinal);
        return error;
    }
}
