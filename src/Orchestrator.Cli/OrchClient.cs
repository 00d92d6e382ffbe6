using Grpc.Core;
using Grpc.Net.Client;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli;

/// <summary>One gRPC channel to the server (plaintext HTTP/2 for http:// URLs) and the service clients over it.</summary>
internal sealed class OrchClient : IDisposable
{
    /// <summary>How long a unary call may take before orch gives up on a server that accepted the connection but hangs.</summary>
    public static readonly TimeSpan UnaryTimeout = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel channel;

    private OrchClient(Uri server)
    {
        Server = server;
        channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(10),
                EnableMultipleHttp2Connections = true,
            },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        Pipelines = new PipelineService.PipelineServiceClient(channel);
        Runs = new RunService.RunServiceClient(channel);
        Nodes = new NodeService.NodeServiceClient(channel);
        Scheduling = new SchedulingService.SchedulingServiceClient(channel);
        Models = new ModelService.ModelServiceClient(channel);
        Monitoring = new MonitoringService.MonitoringServiceClient(channel);
        Retraining = new RetrainingService.RetrainingServiceClient(channel);
        Rollouts = new RolloutService.RolloutServiceClient(channel);
    }

    /// <summary>The server's address.</summary>
    public Uri Server { get; }

    /// <summary>Pipelines and their versions.</summary>
    public PipelineService.PipelineServiceClient Pipelines { get; }

    /// <summary>Runs: submit, follow, control, logs.</summary>
    public RunService.RunServiceClient Runs { get; }

    /// <summary>Nodes: list, cordon.</summary>
    public NodeService.NodeServiceClient Nodes { get; }

    /// <summary>Scheduling: configuration, pools, why steps wait.</summary>
    public SchedulingService.SchedulingServiceClient Scheduling { get; }

    /// <summary>The model registry: versions, aliases, audit.</summary>
    public ModelService.ModelServiceClient Models { get; }

    /// <summary>Model monitoring: drift per window.</summary>
    public MonitoringService.MonitoringServiceClient Monitoring { get; }

    /// <summary>Retraining policies and the retraining budget.</summary>
    public RetrainingService.RetrainingServiceClient Retraining { get; }
    /// <summary>Progressive rollouts and traffic splits per model deployment.</summary>
    public RolloutService.RolloutServiceClient Rollouts { get; }

    /// <summary>Opens a client for <paramref name="server"/>, checking that it is an http(s) URL.</summary>
    /// <exception cref="CliUsageException">When the URL is not an absolute http:// or https:// URL.</exception>
    public static OrchClient Connect(string server)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"--server '{server}' is not a server URL; write it like http://127.0.0.1:7070 (or set ORCH_SERVER)");
        }

        return new OrchClient(uri);
    }

    /// <summary>Options for a unary call: a deadline, and the command's cancellation.</summary>
    public static CallOptions Unary(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + UnaryTimeout, cancellationToken: cancellationToken);

    /// <summary>Options for a streaming call: no deadline (a watch lasts as long as the run), the command's cancellation.</summary>
    public static CallOptions Streaming(CancellationToken cancellationToken) => new(cancellationToken: cancellationToken);

    /// <inheritdoc />
    public void Dispose() => channel.Dispose();
}
