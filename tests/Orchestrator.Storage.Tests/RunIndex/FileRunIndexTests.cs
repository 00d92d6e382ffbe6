using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.RunIndex;
using Orchestrator.Storage.Tests.Support;

namespace Orchestrator.Storage.Tests.RunIndex;

/// <summary>Verifies the file run index: filters, stable paging while runs are added, page tokens and sizes,
/// per-pipeline active counters through state changes, concurrent upserts, and that all of it survives a reopen.</summary>
public sealed class FileRunIndexTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly AppendLogOptions Fast = new() { Durability = Durability.None };
    private readonly TempDirectory _dir = new();
    private FileRunIndex _index = null!;

    public async Task InitializeAsync() => _index = await FileRunIndex.OpenAsync(_dir.Path, Fast);

    public async Task DisposeAsync()
    {
        await _index.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Query_FiltersByTenantPipelineStatesAndLabels_NewestFirst()
    {
        await _index.UpsertAsync(Run("r1", 1, tenant: "a", pipeline: "train", state: RunState.Running, labels: new() { ["team"] = "vision", ["env"] = "prod" }));
        await _index.UpsertAsync(Run("r2", 2, tenant: "a", pipeline: "train", state: RunState.Succeeded, labels: new() { ["team"] = "vision" }));
        await _index.UpsertAsync(Run("r3", 3, tenant: "a", pipeline: "eval", state: RunState.Running));
        await _index.UpsertAsync(Run("r4", 4, tenant: "b", pipeline: "train", state: RunState.Failed, labels: new() { ["team"] = "vision", ["env"] = "prod" }));

        Assert.Equal(["r4", "r3", "r2", "r1"], await Ids(new RunQuery()));
        Assert.Equal(["r3", "r2", "r1"], await Ids(new RunQuery { Tenant = "a" }));
        Assert.Equal(["r4", "r2", "r1"], await Ids(new RunQuery { Pipeline = "train" }));
        Assert.Equal(["r4", "r2"], await Ids(new RunQuery { States = new HashSet<RunState> { RunState.Succeeded, RunState.Failed } }));
        Assert.Equal(["r4", "r1"], await Ids(new RunQuery { Labels = new Dictionary<string, string> { ["team"] = "vision", ["env"] = "prod" } }));
        Assert.Equal(["r1"], await Ids(new RunQuery { Tenant = "a", Pipeline = "train", Labels = new Dictionary<string, string> { ["env"] = "prod" } }));
        Assert.Empty(await Ids(new RunQuery { Labels = new Dictionary<string, string> { ["team"] = "nlp" } }));
    }

    [Fact]
    public async Task Paging_WalksEveryRunOnce_EvenWhenNewerRunsArriveBetweenPages()
    {
        for (var i = 0; i < 25; i++)
        {
            await _index.UpsertAsync(Run($"run-{i:D2}", minutes: i));
        }

        var first = await _index.QueryAsync(new RunQuery { PageSize = 10 });
        for (var i = 100; i < 105; i++)
        {
            await _index.UpsertAsync(Run($"run-{i}", minutes: i));
        }

        var second = await _index.QueryAsync(new RunQuery { PageSize = 10, PageToken = first.NextPageToken });
        var third = await _index.QueryAsync(new RunQuery { PageSize = 10, PageToken = second.NextPageToken });

        var walked = first.Runs.Concat(second.Runs).Concat(third.Runs).Select(r => r.Id).ToList();
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"run-{i:D2}"), walked);
        Assert.Equal(5, third.Runs.Count);
        Assert.Null(third.NextPageToken);
    }

    [Fact]
    public async Task Paging_OfRunsCreatedAtTheSameInstant_IsTotalByIdWithoutRepeats()
    {
        for (var i = 0; i < 7; i++)
        {
            await _index.UpsertAsync(Run($"same-{i}", minutes: 0));
        }

        var walked = new List<string>();
        string? token = null;
        do
        {
            var page = await _index.QueryAsync(new RunQuery { PageSize = 3, PageToken = token });
            walked.AddRange(page.Runs.Select(r => r.Id));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"same-{i}"), walked);
    }

    [Fact]
    public async Task PageSize_ZeroMeansFifty_AndLargerThanAThousandIsClamped()
    {
        for (var i = 0; i < 1_001; i++)
        {
            await _index.UpsertAsync(Run($"run-{i:D4}", minutes: i));
        }

        Assert.Equal(50, (await _index.QueryAsync(new RunQuery { PageSize = 0 })).Runs.Count);
        var clamped = await _index.QueryAsync(new RunQuery { PageSize = 5_000 });
        Assert.Equal(1_000, clamped.Runs.Count);
        Assert.NotNull(clamped.NextPageToken);
    }

    [Fact]
    public async Task PageSize_Negative_IsRefusedNamingTheField()
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _index.QueryAsync(new RunQuery { PageSize = -1 }).AsTask());

        Assert.Contains("page_size", refused.Message);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("AAAA")]
    [InlineData("eyJvZmZzZXQiOjEwfQ")]
    public async Task PageToken_NotIssuedByTheServer_IsRefused(string token)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _index.QueryAsync(new RunQuery { PageToken = token }).AsTask());

        Assert.StartsWith("page_token is not one this server issued", refused.Message);
    }

    [Fact]
    public async Task ActiveCounters_FollowStateChangesAndRemovals()
    {
        await _index.UpsertAsync(Run("r1", 1, pipeline: "train", state: RunState.Pending));
        await _index.UpsertAsync(Run("r2", 2, pipeline: "train", state: RunState.Pending));
        await _index.UpsertAsync(Run("r3", 3, pipeline: "eval", state: RunState.Running));
        Assert.Equal(2, await _index.CountActiveAsync("acme", "train"));

        await _index.UpsertAsync(Run("r1", 1, pipeline: "train", state: RunState.Running));
        Assert.Equal(2, await _index.CountActiveAsync("acme", "train"));

        await _index.UpsertAsync(Run("r1", 1, pipeline: "train", state: RunState.Succeeded));
        await _index.RemoveAsync("r3");
        await _index.RemoveAsync("never-existed");

        Assert.Equal(1, await _index.CountActiveAsync("acme", "train"));
        Assert.Equal(0, await _index.CountActiveAsync("acme", "eval"));
        Assert.Equal(0, await _index.CountActiveAsync("other", "train"));
        Assert.Equal(["r2"], await _index.ListActiveAsync());
        Assert.Null(await _index.GetAsync("r3"));
        Assert.Equal(RunState.Succeeded, (await _index.GetAsync("r1"))!.State);
    }

    [Fact]
    public async Task Reopen_RestoresSummariesOrderAndCounters()
    {
        var labels = new Dictionary<string, string> { ["team"] = "vision" };
        await _index.UpsertAsync(Run("r1", 1, state: RunState.Running, labels: labels) with { Message = "placing", PipelineVersion = 3 });
        await _index.UpsertAsync(Run("r2", 2, state: RunState.Failed));
        await _index.UpsertAsync(Run("r3", 3, state: RunState.Pending));
        await _index.RemoveAsync("r3");
        await _index.DisposeAsync();

        _index = await FileRunIndex.OpenAsync(_dir.Path, Fast);

        Assert.Equal(["r2", "r1"], await Ids(new RunQuery()));
        var r1 = (await _index.GetAsync("r1"))!;
        Assert.Equal((RunState.Running, "placing", 3, "vision", T0.AddMinutes(1)), (r1.State, r1.Message, r1.PipelineVersion, r1.Labels["team"], r1.CreatedAt));
        Assert.Equal(1, await _index.CountActiveAsync("acme", "train"));
        Assert.Equal(["r1"], await _index.ListActiveAsync());
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

    private async Task<List<string>> Ids(RunQuery query) => [.. (await _index.QueryAsync(query)).Runs.Select(r => r.Id)];

    private static async Task<List<(string, RunState, long, int)>> Snapshot(FileRunIndex index)
    {
        var runs = (await index.QueryAsync(new RunQuery { PageSize = 1000 })).Runs;
        var active = (await index.ListActiveAsync()).Count;
        return [.. runs.Select(r => (r.Id, r.State, r.Revision, active))];
    }

    private static RunSummary Run(
        string id, int minutes, string tenant = "acme", string pipeline = "train", RunState state = RunState.Pending, Dictionary<string, string>? labels = null) =>
        new()
        {
            Id = id,
            Tenant = tenant,
            Pipeline = pipeline,
            State = state,
            CreatedAt = T0.AddMinutes(minutes),
            Labels = labels ?? [],
        };
}
