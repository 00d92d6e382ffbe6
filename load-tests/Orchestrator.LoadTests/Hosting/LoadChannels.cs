using Grpc.Net.Client;

namespace Orchestrator.LoadTests.Hosting;

/// <summary>gRPC channels for load: each its own HTTP/2 connection pool, so callers spread over several sockets.</summary>
internal static class LoadChannels
{
    /// <summary>Opens <paramref name="count"/> channels to <paramref name="address"/>.</summary>
    public static GrpcChannel[] Open(string address, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => Open(address))];

    /// <summary>Opens one channel.</summary>
    public static GrpcChannel Open(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            // More calls in flight than the server's stream limit per connection (100) open another connection
            // instead of queueing in the client.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        },
        // A 10,000-step run's snapshot is several MB.
        MaxReceiveMessageSize = 256 * 1024 * 1024,
    });
}
