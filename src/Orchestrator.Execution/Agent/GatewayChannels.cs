using System.Net;

using Grpc.Net.Client;

namespace Orchestrator.Execution.Agent;

/// <summary>One gRPC channel per gateway address, reused across reconnects, and which one is in use now.</summary>
internal sealed class GatewayChannels : IDisposable
{
    private readonly Dictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private volatile GrpcChannel? _current;

    /// <summary>The channel of the connection opened last (artifact transfers go to the same gateway), or null before any.</summary>
    public GrpcChannel? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>The channel for <paramref name="gateway"/>, created on first use.</summary>
    public GrpcChannel For(string gateway)
    {
        lock (_channels)
        {
            if (_channels.TryGetValue(gateway, out var channel)) return channel;
            channel = GrpcChannel.ForAddress(gateway, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler
                {
                    // Fail fast on an unreachable gateway and notice a silently dead one, so the next one is tried.
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                    KeepAlivePingDelay = TimeSpan.FromSeconds(15),
                    KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                    KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                    EnableMultipleHttp2Connections = true,
                },
                HttpVersion = HttpVersion.Version20,
            });
            _channels.Add(gateway, channel);
            return channel;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_channels)
        {
            foreach (var channel in _channels.Values) channel.Dispose();
            _channels.Clear();
        }
    }
}
