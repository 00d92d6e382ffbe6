using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.RunIndex;
using Orchestrator.Storage.Tests.Support;

namespace Orchestrator.Storage.Tests.RunIndex;

/// <summary>Verifies the file run index: the run index contract (filters, paging, sizes and tokens, counters, a reopen),
/// concurrent upserts leaving memory as on disk, and calls before it is open refused clearly.</summary>
public sealed class FileRunIndexTests : RunIndexContract, IAsyncLifetime
{
    private static readonly AppendLogOptions Fast = new() { Durability = Durability.None };
    private readonly TempDirectory _dir = new();
    private FileRunIndex _index = null!;

    /// <inheritdoc />
    protected override IRunIndex Index => _index;

    public async Task InitializeAsync() => _index = await FileRunIndex.OpenAsync(_dir.Path, Fast);

    /// <inheritdoc />
    protected override async Task<IRunIndex> ReopenAsync()
    {
        await _index.DisposeAsync();
        _index = await FileRunIndex.OpenAsync(_dir.Path, Fast);
        return _index;
    }

    public async Task DisposeAsync()
    {
        await _index.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task ConcurrentUpserts_LeaveMemoryAsOnDisk()
    {
        var states = new[] { RunState.Pending, RunState.Running, RunState.Succeeded, RunState.Failed };
        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () =>
            await _index.UpsertAsync(Run($"run-{i % 40}", minutes: i % 40, state: states[i % 4]) with { Revision = i }))));

        var inMemory = await Snapshot(_index);
        await _index.DisposeAsync();
        _index = await FileRunIndex.OpenAsync(_dir.Path, Fast);

        Assert.Equal(inMemory, await Snapshot(_index));
        Assert.Equal(40, inMemory.Count);
    }

    [Fact]
    public async Task Calls_BeforeOpen_AreRefusedClearly()
    {
        await using var closed = new FileRunIndex(_dir.Combine("other"));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => closed.GetAsync("r1").AsTask());

        Assert.Contains("not open", refused.Message);
    }

    private static async Task<List<(string, RunState, long, int)>> Snapshot(FileRunIndex index)
    {
        var runs = (await index.QueryAsync(new RunQuery { PageSize = 1000 })).Runs;
        var active = (await index.ListActiveAsync()).Count;
        return [.. runs.Select(r => (r.Id, r.State, r.Revision, active))];
    }
}
