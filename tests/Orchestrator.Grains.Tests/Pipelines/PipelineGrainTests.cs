using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Pipelines;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Pipelines;

/// <summary>Verifies the pipeline grain in a cluster: versions are numbered and content-addressed, found by latest,
/// number or digest prefix; an invalid spec is refused with every field and stores nothing; deletion waits for active
/// runs; and the catalog lists pipelines per tenant.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PipelineGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task CreateVersion_NumbersNewContentAndReturnsTheSameVersionForIdenticalContent()
    {
        await using var s = fixture.NewScenario();
        var spec = Specs.Pipeline("train", Specs.Step("fit", s.Id, "model"));

        var first = await s.Pipeline("train").CreateVersionAsync(spec, "first", "alice");
        var again = await s.Pipeline("train").CreateVersionAsync(spec with { Steps = [Specs.Step("fit", s.Id, "model")] }, "again", "bob");
        var changed = await s.Pipeline("train").CreateVersionAsync(spec with { Description = "now with a description" }, "second", "carol");

        Assert.False(first.AlreadyExisted);
        Assert.Equal(1, first.Version.Version);
        Assert.Equal(s.Tenant, first.Version.Tenant);
        Assert.Equal("alice", first.Version.CreatedBy);
        Assert.Matches("^[0-9a-f]{64}$", first.Version.Digest);
        Assert.True(again.AlreadyExisted);
        Assert.Equal(1, again.Version.Version);
        Assert.Equal(first.Version.Digest, again.Version.Digest);
        Assert.Equal("alice", again.Version.CreatedBy);
        Assert.False(changed.AlreadyExisted);
        Assert.Equal(2, changed.Version.Version);
        Assert.NotEqual(first.Version.Digest, changed.Version.Digest);
        Assert.Equal([2, 1], (await s.Pipeline("train").ListVersionsAsync()).Select(v => v.Version));
    }

    [Fact]
    public async Task GetVersion_FindsLatestNumberAndDigestPrefix()
    {
        await using var s = fixture.NewScenario();
        // Fixed content, so the digests (and the prefixes below) are the same on every run.
        var v1 = await s.CreatePipelineAsync(Specs.Pipeline("train", Specs.Step("fit", "fixed")));
        var v2 = await s.CreatePipelineAsync(Specs.Pipeline("train", Specs.Step("fit", "fixed", "model")));
        var grain = s.Pipeline("train");

        Assert.Equal(2, (await grain.GetVersionAsync("latest")).Version);
        Assert.Equal(2, (await grain.GetVersionAsync("")).Version);
        Assert.Equal(1, (await grain.GetVersionAsync("1")).Version);
        Assert.Equal(1, (await grain.GetVersionAsync(v1.Digest[..8])).Version);
        Assert.Equal(2, (await grain.GetVersionAsync("sha256:" + v2.Digest[..12].ToUpperInvariant())).Version);
        Assert.Equal(PipelineValidator.Canonicalize(v1.Spec), PipelineValidator.Canonicalize((await grain.GetVersionAsync("1")).Spec));

        var missing = await Assert.ThrowsAsync<OrchestratorException>(() => grain.GetVersionAsync("3"));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Contains("the latest is 2", missing.Message);
        var tooShort = await Assert.ThrowsAsync<OrchestratorException>(() => grain.GetVersionAsync("abc"));
        Assert.Equal(ErrorKind.InvalidArgument, tooShort.Kind);
        Assert.Equal("version", tooShort.Field);
        var unknownDigest = await Assert.ThrowsAsync<OrchestratorException>(() => grain.GetVersionAsync("00000000ffffffff"));
        Assert.Equal(ErrorKind.NotFound, unknownDigest.Kind);
    }

    [Fact]
    public async Task GetVersion_ByADigestPrefixOfDigitsOnly_FindsThatVersion()
    {
        await using var s = fixture.NewScenario();
        await s.CreatePipelineAsync(Specs.Pipeline("train", Specs.Step("fit", "fixed")));
        // About one digest in 43 starts with eight decimal digits; find such a spec (deterministically).
        var spec = Enumerable.Range(0, 10_000)
            .Select(i => Specs.Pipeline("train", Specs.Step("fit", "fixed")) with { Description = $"variant {i}" })
            .First(x => PipelineValidator.Validate(x).Digest[..8].All(char.IsAsciiDigit));
        var v2 = await s.CreatePipelineAsync(spec);

        var found = await s.Pipeline("train").GetVersionAsync(v2.Digest[..8]);

        Assert.Equal((2, v2.Digest), (found.Version, found.Digest));
    }

    [Fact]
    public async Task CreateVersion_WithAnInvalidSpec_ListsEveryFieldAndStoresNothing()
    {
        await using var s = fixture.NewScenario();
        var valid = await s.CreatePipelineAsync(Specs.Pipeline("train", Specs.Step("fit", s.Id)));
        var invalid = new PipelineSpec
        {
            Name = "train",
            Parameters = [new ParameterSpec { Name = "learning rate", Type = ParameterType.Float, Default = "0.1" }],
            Steps =
            [
                new StepSpec { Name = "fit", Command = [] },
                new StepSpec { Name = "Evaluate!", Command = ["python", "eval.py"], After = ["nowhere"] },
            ],
        };
        var expected = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(invalid)).Errors;

        var error = await Assert.ThrowsAsync<OrchestratorException>(() => s.Pipeline("train").CreateVersionAsync(invalid, "", "alice"));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(expected.Select(e => (e.Field, e.Message)), error.Fields.Select(f => (f.Field, f.Message)));
        var fields = error.Fields.Select(f => f.Field).ToList();
        Assert.Contains("parameters[0].name", fields);
        Assert.Contains("steps[0].command", fields);
        Assert.Contains(fields, f => f.StartsWith("steps[1].name", StringComparison.Ordinal));
        Assert.Contains(fields, f => f.StartsWith("steps[1].after", StringComparison.Ordinal));
        Assert.Equal(error.Fields[0].Field, error.Field);
        Assert.Equal([valid.Digest], (await s.Pipeline("train").ListVersionsAsync()).Select(v => v.Digest));
        var listed = Assert.Single(await CatalogAsync(s.Tenant));
        Assert.Equal(1, listed.VersionCount);
    }

    [Fact]
    public async Task CreateVersion_OfAFreshPipelineWithAnInvalidSpec_LeavesNoPipeline()
    {
        await using var s = fixture.NewScenario();

        var error = await Assert.ThrowsAsync<OrchestratorException>(() =>
            s.Pipeline("train").CreateVersionAsync(new PipelineSpec { Name = "train" }, "", "alice"));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("steps", error.Field);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<OrchestratorException>(() => s.Pipeline("train").ListVersionsAsync())).Kind);
        Assert.Empty(await CatalogAsync(s.Tenant));
    }

    [Fact]
    public async Task CreateVersion_WithASpecNamedForAnotherPipeline_IsRefusedNamingTheField()
    {
        await using var s = fixture.NewScenario();

        var error = await Assert.ThrowsAsync<OrchestratorException>(() =>
            s.Pipeline("train").CreateVersionAsync(Specs.Pipeline("serve", Specs.Step("fit", s.Id)), "", "alice"));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("name", error.Field);
        Assert.Contains("'serve'", error.Message);
    }

    [Fact]
    public async Task Delete_IsRefusedWhileARunIsActive_AndAllowedAfterIt()
    {
        await using var s = fixture.NewScenario();
        // No node has this model: the run stays queued, and active, until it is cancelled.
        await s.CreatePipelineAsync(Specs.Pipeline("train", Specs.Step("fit", s.Id).WithGpus(1, "no-such-gpu")));
        await s.CreatePipelineAsync(Specs.Pipeline("train", Specs.Step("fit", s.Id, "model").WithGpus(1, "no-such-gpu")));
        var run = await s.SubmitAsync("train");

        var refused = await Assert.ThrowsAsync<OrchestratorException>(() => s.Pipeline("train").DeleteAsync("alice"));

        Assert.Equal(ErrorKind.FailedPrecondition, refused.Kind);
        Assert.Contains("1 active run(s)", refused.Message);
        Assert.Equal(2, (await s.Pipeline("train").ListVersionsAsync()).Count);

        var cancelled = await s.Run(run.Definition.Id).CancelAsync("alice", "deleting the pipeline");
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.Equal(2, await s.Pipeline("train").DeleteAsync("alice"));

        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<OrchestratorException>(() => s.Pipeline("train").GetVersionAsync("latest"))).Kind);
        Assert.Empty(await CatalogAsync(s.Tenant));
        // The run keeps its own copy of the spec: it can still be read after its pipeline is gone.
        Assert.Equal("train", (await s.Run(run.Definition.Id).GetAsync(includeEvents: false)).Definition.Spec.Name);
    }

    [Fact]
    public async Task Catalog_ListsPipelinesByTenant_OrderedByName()
    {
        await using var s = fixture.NewScenario();
        await using var other = fixture.NewScenario();
        await s.CreatePipelineAsync(Specs.Pipeline("zeta", Specs.Step("fit", s.Id)));
        await s.CreatePipelineAsync(Specs.Pipeline("alpha", Specs.Step("fit", s.Id)));
        await s.CreatePipelineAsync(Specs.Pipeline("alpha", Specs.Step("fit", s.Id, "model")));
        await other.CreatePipelineAsync(Specs.Pipeline("alpha", Specs.Step("fit", other.Id)));

        var mine = await CatalogAsync(s.Tenant);
        var theirs = await CatalogAsync(other.Tenant);
        var all = await fixture.Cluster.Client.GetGrain<IPipelineCatalogGrain>(PipelineCatalogGrain.Key).ListAsync(null);

        Assert.Equal(["alpha", "zeta"], mine.Select(p => p.Name));
        Assert.Equal((2, 2), (mine[0].LatestVersion, mine[0].VersionCount));
        Assert.Equal((await s.Pipeline("alpha").GetVersionAsync("latest")).Digest, mine[0].LatestDigest);
        Assert.Equal(["alpha"], theirs.Select(p => p.Name));
        Assert.All(theirs, p => Assert.Equal(other.Tenant, p.Tenant));
        Assert.Superset(
            new HashSet<(string, string)> { (s.Tenant, "alpha"), (s.Tenant, "zeta"), (other.Tenant, "alpha") },
            all.Select(p => (p.Tenant, p.Name)).ToHashSet());
        Assert.Equal(all.OrderBy(p => p.Tenant, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal), all);
    }

    private Task<IReadOnlyList<PipelineSummaryRecord>> CatalogAsync(string tenant) =>
        fixture.Cluster.Client.GetGrain<IPipelineCatalogGrain>(PipelineCatalogGrain.Key).ListAsync(tenant);
}
