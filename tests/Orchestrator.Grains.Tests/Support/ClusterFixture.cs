namespace Orchestrator.Grains.Tests.Support;

/// <summary>The cluster most tests share (STYLE item 8): started once per test run on a temporary data directory.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private OrchestratorCluster? _cluster;

    /// <summary>The shared cluster.</summary>
    public OrchestratorCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");

    /// <summary>A fresh scenario on the shared cluster.</summary>
    public Scenario NewScenario() => new(Cluster);

    /// <inheritdoc />
    public async Task InitializeAsync() => _cluster = await OrchestratorCluster.StartAsync(_data.Path);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        try
        {
            if (_cluster is not null) await _cluster.DisposeAsync();
        }
        finally
        {
            _data.Dispose();
        }
    }
}

/// <summary>Test classes in this collection share one <see cref="ClusterFixture"/> and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "shared cluster";
}
