using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;

namespace Orchestrator.Storage.Tests.RunIndex;

/// <summary>What every <see cref="IRunIndex"/> must do, run against each implementation (the file index here, the Redis
/// index in Orchestrator.Storage.Redis.Tests, which links this file): filters, newest first; stable paging while runs
/// are added, total by id among runs created at one instant, across filters that skip many runs; page sizes and tokens;
/// active counters and counts by state through state changes and removals; and all of it seen again by a reopened index.</summary>
public abstract class RunIndexContract
{
    /// <summary>When the runs of these tests were created (plus their minutes).</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The index under test, empty at the start of each test.</summary>
    protected abstract IRunIndex Index { get; }

    /// <summary>The same stored index opened anew (a restart, another silo's connection).</summary>
    protected abstract Task<IRunIndex> ReopenAsync();

    [Fact]
    public async Task Query_FiltersByTenantPipelineStatesAndLabels_NewestFirst()
    {
        var index = Index;
        await index.UpsertAsync(Run("r1", 1, tenant: "a", pipeline: "train", state: RunState.Running, labels: new() { ["team"] = "vision", ["env"] = "prod" }));
        await index.UpsertAsync(Run("r2", 2, tenant: "a", pipeline: "train", state: RunState.Succeeded, labels: new() { ["team"] = "vision" }));
        await index.UpsertAsync(Run("r3", 3, tenant: "a", pipeline: "eval", state: RunState.Running));
        await index.UpsertAsync(Run("r4", 4, tenant: "b", pipeline: "train", state: RunState.Failed, labels: new() { ["team"] = "vision", ["env"] = "prod" }));

        Assert.Equal(["r4", "r3", "r2", "r1"], await Ids(index, new RunQuery()));
        Assert.Equal(["r3", "r2", "r1"], await Ids(index, new RunQuery { Tenant = "a" }));
        Assert.Equal(["r4", "r2", "r1"], await Ids(index, new RunQuery { Pipeline = "train" }));
        Assert.Equal(["r4", "r2"], await Ids(index, new RunQuery { States = new HashSet<RunState> { RunState.Succeeded, RunState.Failed } }));
        Assert.Equal(["r4", "r1"], await Ids(index, new RunQuery { Labels = new Dictionary<string, string> { ["team"] = "vision", ["env"] = "prod" } }));
        Assert.Equal(["r1"], await Ids(index, new RunQuery { Tenant = "a", Pipeline = "train", Labels = new Dictionary<string, string> { ["env"] = "prod" } }));
        Assert.Empty(await Ids(index, new RunQuery { Labels = new Dictionary<string, string> { ["team"] = "nlp" } }));
        Assert.Empty(await Ids(index, new RunQuery { Tenant = "nobody" }));
    }

    [Fact]
    public async Task Paging_WalksEveryRunOnce_EvenWhenNewerRunsArriveBetweenPages()
    {
        var index = Index;
        for (var i = 0; i < 25; i++) await index.UpsertAsync(Run($"run-{i:D2}", minutes: i));

        var first = await index.QueryAsync(new RunQuery { PageSize = 10 });
        for (var i = 100; i < 105; i++) await index.UpsertAsync(Run($"run-{i}", minutes: i));
        var second = await index.QueryAsync(new RunQuery { PageSize = 10, PageToken = first.NextPageToken });
        var third = await index.QueryAsync(new RunQuery { PageSize = 10, PageToken = second.NextPageToken });

        var walked = first.Runs.Concat(second.Runs).Concat(third.Runs).Select(r => r.Id).ToList();
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"run-{i:D2}"), walked);
        Assert.Equal(5, third.Runs.Count);
        Assert.Null(third.NextPageToken);
    }

    [Fact]
    public async Task Paging_OfRunsCreatedAtTheSameInstant_IsTotalByIdWithoutRepeats_AndFiltersSpanBatches()
    {
        var index = Index;
        for (var i = 0; i < 7; i++) await index.UpsertAsync(Run($"same-{i}", minutes: 0));
        // Many non-matching runs between matching ones make a page span several reads of the order.
        for (var i = 0; i < 40; i++) await index.UpsertAsync(Run($"other-{i:D2}", minutes: 1, pipeline: "eval"));

        var walked = new List<string>();
        string? token = null;
        do
        {
            var page = await index.QueryAsync(new RunQuery { PageSize = 3, PageToken = token, Pipeline = "train" });
            walked.AddRange(page.Runs.Select(r => r.Id));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"same-{i}"), walked);
    }

    [Fact]
    public async Task PageSize_ZeroMeansFifty_LargerThanAThousandIsClamped_AndNegativeIsRefused()
    {
        var index = Index;
        await Task.WhenAll(Enumerable.Range(0, 1_001).Select(i => index.UpsertAsync(Run($"run-{i:D4}", minutes: i)).AsTask()));

        Assert.Equal(50, (await index.QueryAsync(new RunQuery { PageSize = 0 })).Runs.Count);
        var clamped = await index.QueryAsync(new RunQuery { PageSize = 5_000 });
        Assert.Equal(1_000, clamped.Runs.Count);
        Assert.NotNull(clamped.NextPageToken);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => index.QueryAsync(new RunQuery { PageSize = -1 }).AsTask());
        Assert.Contains("page_size", refused.Message);
        // The refusal changed nothing.
        Assert.Equal(1_001, (await index.CountByStateAsync())[RunState.Pending]);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("AAAA")]
    [InlineData("eyJvZmZzZXQiOjEwfQ")]
    public async Task PageToken_NotIssuedByTheServer_IsRefused(string token)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Index.QueryAsync(new RunQuery { PageToken = token }).AsTask());

        Assert.StartsWith("page_token is not one this server issued", refused.Message);
    }

    [Fact]
    public async Task ActiveCounters_FollowStateChangesAndRemovals()
    {
        var index = Index;
        await index.UpsertAsync(Run("r1", 1, pipeline: "train", state: RunState.Pending));
        await index.UpsertAsync(Run("r2", 2, pipeline: "train", state: RunState.Pending));
        await index.UpsertAsync(Run("r3", 3, pipeline: "eval", state: RunState.Running));
        Assert.Equal(2, await index.CountActiveAsync("acme", "train"));

        await index.UpsertAsync(Run("r1", 1, pipeline: "train", state: RunState.Running) with { Revision = 1 });
        Assert.Equal(2, await index.CountActiveAsync("acme", "train"));

        await index.UpsertAsync(Run("r1", 1, pipeline: "train", state: RunState.Succeeded) with { Revision = 2 });
        await index.RemoveAsync("r3");
        await index.RemoveAsync("never-existed");

        Assert.Equal(1, await index.CountActiveAsync("acme", "train"));
        Assert.Equal(0, await index.CountActiveAsync("acme", "eval"));
        Assert.Equal(0, await index.CountActiveAsync("other", "train"));
        Assert.Equal(["r2"], await index.ListActiveAsync());
        Assert.Null(await index.GetAsync("r3"));
        Assert.Equal(RunState.Succeeded, (await index.GetAsync("r1"))!.State);
        Assert.Equal(new Dictionary<RunState, int> { [RunState.Pending] = 1, [RunState.Succeeded] = 1 }, await index.CountByStateAsync());
        Assert.Equal(["r2", "r1"], await Ids(index, new RunQuery()));
    }

    [Fact]
    public async Task Reopened_SeesSummariesOrderAndCounters()
    {
        var labels = new Dictionary<string, string> { ["team"] = "vision" };
        var index = Index;
        await index.UpsertAsync(Run("r1", 1, state: RunState.Running, labels: labels) with { Message = "placing", PipelineVersion = 3 });
        await index.UpsertAsync(Run("r2", 2, state: RunState.Failed));
        await index.UpsertAsync(Run("r3", 3, state: RunState.Pending));
        await index.RemoveAsync("r3");

        var reopened = await ReopenAsync();

        Assert.Equal(["r2", "r1"], await Ids(reopened, new RunQuery()));
        var r1 = (await reopened.GetAsync("r1"))!;
        Assert.Equal((RunState.Running, "placing", 3, "vision", T0.AddMinutes(1)), (r1.State, r1.Message, r1.PipelineVersion, r1.Labels["team"], r1.CreatedAt));
        Assert.Equal(1, await reopened.CountActiveAsync("acme", "train"));
        Assert.Equal(["r1"], await reopened.ListActiveAsync());
    }

    /// <summary>The ids a query returns, in order.</summary>
    protected static async Task<List<string>> Ids(IRunIndex index, RunQuery query) => [.. (await index.QueryAsync(query)).Runs.Select(r => r.Id)];

    /// <summary>A run summary created <paramref name="minutes"/> after <see cref="T0"/>.</summary>
    protected static RunSummary Run(
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
