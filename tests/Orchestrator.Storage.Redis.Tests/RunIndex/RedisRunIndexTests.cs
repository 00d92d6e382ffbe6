using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.Redis.RunIndex;
using Orchestrator.Storage.Redis.Tests.Support;
using Orchestrator.Storage.Tests.RunIndex;
using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.Tests.RunIndex;

/// <summary>Verifies the Redis run index against a real redis-server: the run index contract the file index meets too
/// (filters, paging, sizes and tokens, counters, a new connection seeing it all), concurrent upserts from two
/// connections (two silos) agreeing, and stale revisions ignored.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisRunIndexTests(RedisServer redis) : RunIndexContract, IAsyncLifetime
{
    private readonly string _prefix = RedisServer.UniquePrefix();
    private readonly List<ConnectionMultiplexer> _connections = [];

    /// <inheritdoc />
    protected override IRunIndex Index => Own;

    private RedisRunIndex Own => new(redis.Connection, _prefix);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections) await connection.DisposeAsync();
    }

    /// <inheritdoc />
    protected override async Task<IRunIndex> ReopenAsync()
    {
        var other = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        _connections.Add(other);
        return new RedisRunIndex(other, _prefix);
    }

    [Fact]
    public async Task Upsert_WithAnOlderRevision_IsIgnored()
    {
        var index = Own;
        await index.UpsertAsync(Run("r1", 1, state: RunState.Succeeded) with { Revision = 9 });
        await index.UpsertAsync(Run("r1", 1, state: RunState.Running) with { Revision = 4 });

        Assert.Equal(RunState.Succeeded, (await index.GetAsync("r1"))!.State);
        Assert.Empty(await index.ListActiveAsync());
    }

    [Fact]
    public async Task ConcurrentUpserts_FromTwoConnections_LeaveSummariesAndCountersConsistent()
    {
        await using var other = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        RedisRunIndex[] silos = [Own, new RedisRunIndex(other, _prefix)];
        var states = new[] { RunState.Pending, RunState.Running, RunState.Succeeded, RunState.Failed };
        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () =>
            await silos[i % 2].UpsertAsync(Run($"run-{i % 40}", minutes: i % 40, state: states[i / 40 % 4]) with { Revision = i / 40 }))));

        var runs = (await silos[1].QueryAsync(new RunQuery { PageSize = 1000 })).Runs;
        Assert.Equal(40, runs.Count);
        // Revision 9 is the last for every run: 9 / 1 % 4 -> states[1].
        Assert.All(runs, r => Assert.Equal((RunState.Running, 9L), (r.State, r.Revision)));
        Assert.Equal(40, (await silos[0].ListActiveAsync()).Count);
        Assert.Equal(40, await silos[0].CountActiveAsync("acme", "train"));
        Assert.Equal(new Dictionary<RunState, int> { [RunState.Running] = 40 }, await silos[1].CountByStateAsync());
    }
}
