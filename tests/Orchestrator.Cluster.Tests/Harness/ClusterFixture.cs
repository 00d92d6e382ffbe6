using Orchestrator.Storage.Redis.Tests.Support;

namespace Orchestrator.Cluster.Tests.Harness;

/// <summary>One redis-server and a three-server cluster on it, shared by the tests of <see cref="ClusterCollection"/>;
/// tests that kill a server start their own cluster on the same redis-server.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private RedisCluster? _cluster;

    /// <summary>The redis-server every cluster of this run uses (each under its own cluster id).</summary>
    public RedisServer Redis { get; } = new();

    /// <summary>The shared three-server cluster.</summary>
    internal RedisCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        _cluster = await RedisCluster.StartAsync(Redis, 3);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>The tests that share <see cref="ClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "cluster";
}
