using Orchestrator.Core.Models;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Models;

/// <summary>Verifies the model grain in a cluster: versions are numbered 1, 2, 3; a retried registration with the same
/// request id returns the same version; aliases are set, moved and removed with one audit entry each; references
/// resolve by number, alias and latest; unknown ones are NOT_FOUND naming what exists; a bad profile stores nothing;
/// listings filter and page; and the catalog lists the model.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ModelGrainTests(ClusterFixture fixture)
{
    private static readonly string Digest = new('a', 64);

    [Fact]
    public async Task Register_NumbersVersions_AndRecordsWhoWhenAndWhy()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");

        var first = await model.RegisterVersionAsync(Spec(0.8), "", "first model", "alice");
        var second = await model.RegisterVersionAsync(Spec(0.8), "", "", "bob");

        Assert.Equal((1, false, "alice"), (first.Version.Record.Version, first.AlreadyExisted, first.Version.Record.CreatedBy));
        Assert.Equal(2, second.Version.Record.Version);
        Assert.Equal(s.Cluster.Clock.GetUtcNow(), first.Version.Record.CreatedAt);
        var audit = await model.GetAuditAsync(10, 0);
        Assert.Equal([2L, 1L], audit.Entries.Select(e => e.Sequence));
        Assert.Equal((ModelAuditAction.VersionRegistered, 1, "alice", "first model"), (audit.Entries[1].Action, audit.Entries[1].Version, audit.Entries[1].Actor, audit.Entries[1].Reason));
        Assert.Equal("version 1 registered", audit.Entries[1].Summary);
        Assert.Contains(await Catalog(s), m => m.Name == "churn" && m.LatestVersion == 2);
    }

    [Fact]
    public async Task Register_RetriedWithTheSameRequestId_ReturnsTheSameVersion_AndOtherContentIsRefused()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");

        var first = await model.RegisterVersionAsync(Spec(0.8), "req-1", "", "alice");
        var again = await model.RegisterVersionAsync(Spec(0.8), "req-1", "", "alice");
        var other = await Assert.ThrowsAsync<OrchestratorException>(() => model.RegisterVersionAsync(Spec(0.9), "req-1", "", "alice"));

        Assert.Equal((1, true, "req-1"), (again.Version.Record.Version, again.AlreadyExisted, again.Version.Record.RequestId));
        Assert.Equal(first.Version.Record.ContentDigest, again.Version.Record.ContentDigest);
        Assert.Equal((ErrorKind.AlreadyExists, "request_id"), (other.Kind, other.Field));
        Assert.Single((await model.GetAsync()).Versions);
        Assert.Single((await model.GetAuditAsync(10, 0)).Entries);
    }

    [Fact]
    public async Task Register_ABadProfile_IsRefusedWithItsPath_AndStoresNothing()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");
        await model.RegisterVersionAsync(Spec(0.8), "", "", "alice");
        var bad = Spec(0.9) with
        {
            Profile = new BaselineProfile
            {
                Numeric = new Dictionary<string, NumericFeatureProfile> { ["age"] = new() { BinEdges = [1, 2], Proportions = [0.5, 0.5] } },
            },
        };

        var error = await Assert.ThrowsAsync<OrchestratorException>(() => model.RegisterVersionAsync(bad, "req-2", "", "alice"));

        Assert.Equal((ErrorKind.InvalidArgument, "profile.numeric.age.proportions"), (error.Kind, error.Field));
        Assert.Single((await model.GetAsync()).Versions);
        Assert.Single((await model.GetAuditAsync(10, 0)).Entries);
        Assert.Equal(2, (await model.RegisterVersionAsync(Spec(0.9), "req-2", "", "alice")).Version.Record.Version);
    }

    [Fact]
    public async Task Aliases_SetMoveAndRemove_EachWithOneAuditEntry_AndResolveAsReferences()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");
        await model.RegisterVersionAsync(Spec(0.8), "", "", "alice");
        await model.RegisterVersionAsync(Spec(0.9), "", "", "alice");

        var set = await model.SetAliasAsync("champion", "1", "first one", "alice");
        var same = await model.SetAliasAsync("champion", "1", "again", "alice");
        await model.SetAliasAsync("challenger", "latest", "", "bob");
        var moved = await model.SetAliasAsync("champion", "challenger", "beats v1 on auc", "carol");
        var removed = await model.RemoveAliasAsync("challenger", "promoted", "carol");

        Assert.Equal((1, 0, true), (set.Version, set.PreviousVersion, set.Changed));
        Assert.False(same.Changed);
        Assert.Equal((2, 1, true), (moved.Version, moved.PreviousVersion, moved.Changed));
        Assert.Equal((0, 2), (removed.Version, removed.PreviousVersion));
        Assert.Equal(2, (await model.GetVersionAsync("champion")).Record.Version);
        Assert.Equal(["champion"], (await model.GetVersionAsync("2")).Aliases);
        Assert.Equal(new Dictionary<string, int> { ["champion"] = 2 }, (await model.GetAsync()).Aliases);
        var audit = (await model.GetAuditAsync(10, 0)).Entries;
        Assert.Equal(
            [ModelAuditAction.AliasRemoved, ModelAuditAction.AliasMoved, ModelAuditAction.AliasSet, ModelAuditAction.AliasSet,
                ModelAuditAction.VersionRegistered, ModelAuditAction.VersionRegistered],
            audit.Select(e => e.Action));
        Assert.Equal(("carol", "beats v1 on auc", "alias champion moved from version 1 to 2"), (audit[1].Actor, audit[1].Reason, audit[1].Summary));
    }

    [Fact]
    public async Task UnknownModelVersionOrAlias_IsNotFound_SayingWhatExists()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");

        var noModel = await Assert.ThrowsAsync<OrchestratorException>(() => model.GetAsync());
        await model.RegisterVersionAsync(Spec(0.8), "", "", "alice");
        await model.SetAliasAsync("champion", "1", "", "alice");
        var noVersion = await Assert.ThrowsAsync<OrchestratorException>(() => model.GetVersionAsync("7"));
        var noAlias = await Assert.ThrowsAsync<OrchestratorException>(() => model.GetVersionAsync("staging"));
        var removeMissing = await Assert.ThrowsAsync<OrchestratorException>(() => model.RemoveAliasAsync("staging", "", "alice"));
        var badAlias = await Assert.ThrowsAsync<OrchestratorException>(() => model.SetAliasAsync("42", "1", "", "alice"));

        Assert.Equal(ErrorKind.NotFound, noModel.Kind);
        Assert.Contains("orch models register churn", noModel.Message);
        Assert.Equal(ErrorKind.NotFound, noVersion.Kind);
        Assert.Contains("versions 1 to 1", noVersion.Message);
        Assert.Equal(ErrorKind.NotFound, noAlias.Kind);
        Assert.Contains("its aliases: champion", noAlias.Message);
        Assert.Equal((ErrorKind.NotFound, "alias"), (removeMissing.Kind, removeMissing.Field));
        Assert.Equal((ErrorKind.InvalidArgument, "alias"), (badAlias.Kind, badAlias.Field));
        Assert.Single((await model.GetAuditAsync(10, 0)).Entries, e => e.Action == ModelAuditAction.AliasSet);
    }

    [Fact]
    public async Task ListVersions_FiltersAndPagesNewestFirst()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");
        foreach (var auc in new[] { 0.7, 0.85, 0.9, 0.95, 0.6 }) await model.RegisterVersionAsync(Spec(auc), "", "", "alice");
        var good = new ModelVersionFilter { Metrics = [MetricFilter.Parse("auc>=0.8", "m")] };

        var first = await model.ListVersionsAsync(good, 2, 0);
        var second = await model.ListVersionsAsync(good, 2, first.NextBefore);
        var auditFirst = await model.GetAuditAsync(3, 0);
        var auditRest = await model.GetAuditAsync(3, auditFirst.NextBefore);

        Assert.Equal([4, 3], first.Versions.Select(v => v.Record.Version));
        Assert.Equal(3, first.NextBefore);
        Assert.Equal([2], second.Versions.Select(v => v.Record.Version));
        Assert.Equal(0, second.NextBefore);
        Assert.Equal([5L, 4L, 3L], auditFirst.Entries.Select(e => e.Sequence));
        Assert.Equal([2L, 1L], auditRest.Entries.Select(e => e.Sequence));
        Assert.Equal(0, auditRest.NextBefore);
    }

    [Fact]
    public async Task Compare_PutsMetricsAndParametersSideBySide()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");
        await model.RegisterVersionAsync(Spec(0.8), "", "", "alice");
        await model.RegisterVersionAsync(Spec(0.9) with { Parameters = new Dictionary<string, string> { ["epochs"] = "200" } }, "", "", "alice");
        await model.SetAliasAsync("champion", "1", "", "alice");

        var result = await model.CompareAsync("champion", "latest");

        Assert.Equal((1, 2), (result.A.Record.Version, result.B.Record.Version));
        Assert.Equal(0.1, result.Comparison.Metrics.Single(m => m.Name == "auc").Delta!.Value, 12);
        Assert.Equal(("100", "200", true), (result.Comparison.Parameters[0].A, result.Comparison.Parameters[0].B, result.Comparison.Parameters[0].Differs));
    }

    private static IModelGrain Model(Scenario s, string name) => s.Grains.GetGrain<IModelGrain>(ModelGrain.KeyOf(s.Tenant, name));

    private static Task<IReadOnlyList<ModelSummaryRecord>> Catalog(Scenario s) =>
        s.Grains.GetGrain<IModelCatalogGrain>(ModelCatalogGrain.Key).ListAsync(s.Tenant);

    private static ModelVersionSpec Spec(double auc) => new()
    {
        Artifact = new ModelArtifact { Digest = Digest, SizeBytes = 2048 },
        Parameters = new Dictionary<string, string> { ["epochs"] = "100" },
        Metrics = new Dictionary<string, double> { ["auc"] = auc },
        Profile = new BaselineProfile
        {
            Numeric = new Dictionary<string, NumericFeatureProfile> { ["age"] = new() { BinEdges = [40], Proportions = [0.5, 0.5], Sample = [30, 50] } },
        },
    };
}
