using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The model registry through a real server process over gRPC: two versions registered (one as YAML), aliases
/// set and moved, versions filtered and compared, the audit trail read back with who and why; a bad profile is refused
/// with its field path and nothing is stored.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class ModelRegistryTests(EmbeddedServerFixture fixture)
{
    private static readonly string Digest1 = new('1', 64);
    private static readonly string Digest2 = new('2', 64);

    private const string Version2Yaml = """
        artifact: {digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222", size_bytes: 4096}
        source: {run_id: run-00000000000000aa, step_key: train, pipeline: churn, pipeline_version: 3}
        parameters: {epochs: "200", lr: "0.01"}
        metrics: {auc: 0.91, loss: 0.21}
        tags: {team: ml}
        profile:
          numeric:
            tenure: {bin_edges: [12, 24], proportions: [0.3, 0.3, 0.4], sample: [3, 18, 40]}
          categorical:
            plan: {frequencies: {basic: 0.7, premium: 0.3}, count: 500}
        """;

    [Fact]
    public async Task RegisterAliasCompareAndAudit_ThroughTheServer()
    {
        var models = fixture.Server.Models;
        var tenant = $"e2e-{Guid.NewGuid():N}"[..16];
        var alice = new Metadata { { "x-orch-user", "alice" } };
        var bob = new Metadata { { "x-orch-user", "bob" } };

        var v1 = await models.RegisterModelVersionAsync(new RegisterModelVersionRequest
        {
            Tenant = tenant, Name = "churn", Version = Version1(), RequestId = "train-1", Reason = "first training",
        }, alice);
        var retried = await models.RegisterModelVersionAsync(new RegisterModelVersionRequest
        {
            Tenant = tenant, Name = "churn", Version = Version1(), RequestId = "train-1", Reason = "first training",
        }, alice);
        var v2 = await models.RegisterModelVersionAsync(new RegisterModelVersionRequest
        {
            Tenant = tenant, Name = "churn", VersionYaml = Version2Yaml, Reason = "retrained on May data",
        }, bob);
        Assert.Equal((1, false, "alice"), (v1.Version.Version, v1.AlreadyExisted, v1.Version.CreatedBy));
        Assert.Equal((1, true), (retried.Version.Version, retried.AlreadyExisted));
        Assert.Equal((2, Digest2), (v2.Version.Version, v2.Version.Spec.Artifact.Digest));
        Assert.Equal([0.3, 0.3, 0.4], v2.Version.Spec.Profile.Numeric["tenure"].Proportions);

        await models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = "churn", Alias = "champion", Version = "1", Reason = "baseline" }, alice);
        await models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = "churn", Alias = "challenger", Version = "2" }, bob);
        var moved = await models.SetAliasAsync(new SetAliasRequest
        {
            Tenant = tenant, Name = "churn", Alias = "champion", Version = "challenger", Reason = "auc +0.06",
        }, bob);
        Assert.Equal((2, 1, true), (moved.Version, moved.PreviousVersion, moved.Changed));

        var model = await models.GetModelAsync(new GetModelRequest { Tenant = tenant, Name = "churn" });
        Assert.Equal((2, 2), (model.LatestVersion, model.VersionCount));
        Assert.Equal(new Dictionary<string, int> { ["champion"] = 2, ["challenger"] = 2 }, model.Aliases);
        Assert.Equal([2, 1], model.Versions.Select(v => v.Version));
        var champion = await models.GetModelVersionAsync(new GetModelVersionRequest { Tenant = tenant, Name = "churn", Version = "champion" });
        Assert.Equal(2, champion.Version);
        Assert.Equal(["challenger", "champion"], champion.Aliases);

        var good = await models.ListModelVersionsAsync(new ListModelVersionsRequest
        {
            Tenant = tenant, Name = "churn", MetricFilters = { "auc>=0.9" }, TagSelector = "team=ml",
        });
        Assert.Equal([2], good.Versions.Select(v => v.Version));
        Assert.Null(good.Versions[0].Spec.Profile);

        var compared = await models.CompareModelVersionsAsync(new CompareModelVersionsRequest { Tenant = tenant, Name = "churn", VersionA = "1", VersionB = "champion" });
        Assert.Equal(["auc", "loss"], compared.Metrics.Select(m => m.Name));
        Assert.Equal(0.06, compared.Metrics[0].Delta, 9);
        Assert.False(compared.Metrics[1].HasA);
        Assert.Contains(compared.Parameters, p => p.Name == "epochs" && p.A == "150" && p.B == "200" && p.Differs);
        Assert.True(compared.ArtifactDiffers);

        var audit = await models.GetAuditTrailAsync(new GetAuditTrailRequest { Tenant = tenant, Name = "churn", PageSize = 3 });
        var rest = await models.GetAuditTrailAsync(new GetAuditTrailRequest { Tenant = tenant, Name = "churn", PageToken = audit.NextPageToken });
        var entries = audit.Entries.Concat(rest.Entries).ToList();
        Assert.Equal([5L, 4L, 3L, 2L, 1L], entries.Select(e => e.Sequence));
        Assert.Equal(
            [ModelAuditAction.AliasMoved, ModelAuditAction.AliasSet, ModelAuditAction.AliasSet, ModelAuditAction.VersionRegistered, ModelAuditAction.VersionRegistered],
            entries.Select(e => e.Action));
        Assert.Equal(("bob", "auc +0.06", "alias champion moved from version 1 to 2"), (entries[0].Actor, entries[0].Reason, entries[0].Summary));
        Assert.Equal(("alice", "first training"), (entries[4].Actor, entries[4].Reason));
        Assert.Contains((await models.ListModelsAsync(new ListModelsRequest { Tenant = tenant })).Models, m => m.Name == "churn" && m.LatestVersion == 2);
    }

    [Fact]
    public async Task ABadProfile_IsRefusedWithTheFieldPath_AndNothingIsStored()
    {
        var models = fixture.Server.Models;
        var tenant = $"e2e-{Guid.NewGuid():N}"[..16];
        var bad = Version1();
        bad.Profile.Numeric["age"].BinEdges[1] = 10;

        var error = await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = "fraud", Version = bad }).ResponseAsync,
            "profile.numeric.age.bin_edges[1]", "strictly ascending");

        Assert.Equal("profile.numeric.age.bin_edges[1]", error.Trailers.GetValue("x-orch-field"));
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => models.GetModelAsync(new GetModelRequest { Tenant = tenant, Name = "fraud" }).ResponseAsync, "model fraud does not exist");
        Assert.DoesNotContain((await models.ListModelsAsync(new ListModelsRequest { Tenant = tenant })).Models, m => m.Name == "fraud");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => models.ListModelVersionsAsync(new ListModelVersionsRequest { Tenant = tenant, Name = "fraud", MetricFilters = { "auc>>1" } }).ResponseAsync,
            "metric_filters[0]");
    }

    private static ModelVersionSpec Version1() => new()
    {
        Artifact = new ModelArtifact { Digest = Digest1, SizeBytes = 2048 },
        Source = new ModelSource { RunId = "run-00000000000000a1", StepKey = "train", Pipeline = "churn", PipelineVersion = 2 },
        Parameters = { ["epochs"] = "150", ["lr"] = "0.01" },
        Metrics = { ["auc"] = 0.85 },
        Tags = { ["team"] = "ml" },
        Profile = new BaselineProfile
        {
            Numeric = { ["age"] = new NumericFeatureProfile { BinEdges = { 30, 45, 60 }, Proportions = { 0.25, 0.25, 0.3, 0.2 }, Sample = { 22, 35, 51, 70 } } },
        },
    };
}
