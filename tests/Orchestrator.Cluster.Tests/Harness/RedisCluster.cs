using Orchestrator.EndToEnd.Tests.Harness;
using Orchestrator.Storage.Redis.Tests.Support;

namespace Orchestrator.Cluster.Tests.Harness;

/// <summary>Server processes in the redis profile sharing one real redis-server and one cluster id: one Orleans
/// cluster. Every process is killed with its tree on dispose, even when a test failed.</summary>
internal sealed class RedisCluster : IAsyncDisposable
{
    private RedisCluster(string clusterId, IReadOnlyList<ServerProcess> servers)
    {
        ClusterId = clusterId;
        Servers = servers;
    }

    /// <summary>The Orleans cluster id (and Redis key prefix) of this cluster.</summary>
    public string ClusterId { get; }

    /// <summary>The servers, in start order; node names are <c>node-1</c>, <c>node-2</c>, ...</summary>
    public IReadOnlyList<ServerProcess> Servers { get; }

    /// <summary>Starts <paramref name="count"/> servers at once; <paramref name="extra"/> are more arguments for each.</summary>
    public static async Task<RedisCluster> StartAsync(RedisServer redis, int count, params string[] extra)
    {
        var clusterId = "c" + Guid.NewGuid().ToString("N")[..10];
        var starts = Enumerable.Range(1, count).Select(i => ServerProcess.StartAsync(
            ["--profile", "redis", "--redis", redis.Configuration, "--cluster-id", clusterId,
             "--node-name", $"node-{i}", "--simulate-gpus", "2", "--durability", "none", .. extra])).ToList();
        try
        {
            return new RedisCluster(clusterId, await Task.WhenAll(starts));
        }
        catch
        {
            // Stop the ones that did start before reporting the one that did not.
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully)) await start.Result.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var server in Servers) await server.DisposeAsync();
    }
}
