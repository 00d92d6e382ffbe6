using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Validation gates through a real server process over gRPC: gates set and read back normalized; a champion
/// and two candidates registered; one candidate passes every gate, the other fails with messages naming the champion
/// and the missing segment; the result comes back on GetModelVersion and in the audit trail; a bad gate list is
/// INVALID_ARGUMENT with its field path and an unknown version NOT_FOUND.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class ModelGateTests(EmbeddedServerFixture fixture)
{
    [Fact]
    public async Task SetGates_ThenEvaluate_OneCandidatePasses_AndOneFailsWithMessages()
    {
        var models = fixture.Server.Models;
        var tenant = $"e2e-{Guid.NewGuid():N}"[..16];
        var carol = new Metadata { { "x-orch-user", "carol" } };

        await Register(models, tenant, auc: 0.85, groupA: 0.90, groupB: 0.88);
        await Register(models, tenant, auc: 0.90, groupA: 0.91, groupB: 0.89);
        await Register(models, tenant, auc: 0.86, groupA: 0.92, groupB: null);
        await models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = "churn", Alias = "champion", Version = "1" });

        var set = await models.SetGatesAsync(new SetGatesRequest
        {
            Tenant = tenant, Name = "churn", Reason = "release policy",
            Gates =
            {
                new ValidationGate { MetricThreshold = new MetricThresholdGate { Expression = "auc >= 0.8" } },
                new ValidationGate { Name = "beats champion", BeatChampion = new BeatChampionGate { Metric = "auc", Margin = 0.02 } },
                new ValidationGate { SegmentGap = new SegmentGapGate { Metric = "accuracy", Segments = { "group=a", "group=b" }, MaxGap = 0.05 } },
                new ValidationGate { MaxArtifactSize = new MaxArtifactSizeGate { MaxBytes = 1_000_000 } },
            },
        }, carol);
        Assert.Equal((1, "carol", "auc>=0.8"), (set.Revision, set.UpdatedBy, set.Gates[0].MetricThreshold.Expression));
        Assert.True(set.Gates[1].BeatChampion.HasHigherIsBetter && set.Gates[1].BeatChampion.HigherIsBetter);
        Assert.Equal(4, (await models.GetGatesAsync(new GetGatesRequest { Tenant = tenant, Name = "churn" })).Gates.Count);

        var good = await models.EvaluateGatesAsync(new EvaluateGatesRequest { Tenant = tenant, Name = "churn", Version = "2", Reason = "candidate" }, carol);
        var bad = await models.EvaluateGatesAsync(new EvaluateGatesRequest { Tenant = tenant, Name = "churn", Version = "3" }, carol);

        Assert.True(good.Passed, string.Join("; ", good.Results.Select(r => r.Message)));
        Assert.Equal((2, 1, 1), (good.Version, good.ChampionVersion, good.GatesRevision));
        Assert.False(bad.Passed);
        Assert.Equal([true, false, false, true], bad.Results.Select(r => r.Passed));
        Assert.Equal(("beats champion", 0.86, ">="), (bad.Results[1].Gate, bad.Results[1].Value, bad.Results[1].Comparison));
        Assert.Equal(0.87, bad.Results[1].Bound, 9);
        Assert.Contains("does not beat the champion (version 1, 0.85) by 0.02", bad.Results[1].Message);
        Assert.False(bad.Results[2].HasValue);
        Assert.Contains("version 3 has no metric accuracy@group=b", bad.Results[2].Message);

        var stored = await models.GetModelVersionAsync(new GetModelVersionRequest { Tenant = tenant, Name = "churn", Version = "3" });
        Assert.Equal((false, 4), (stored.GateEvaluation.Passed, stored.GateEvaluation.Results.Count));
        var audit = await models.GetAuditTrailAsync(new GetAuditTrailRequest { Tenant = tenant, Name = "churn", PageSize = 3 });
        Assert.Equal([ModelAuditAction.GatesFailed, ModelAuditAction.GatesPassed, ModelAuditAction.GatesSet], audit.Entries.Select(e => e.Action));
        Assert.Equal(("carol", "candidate"), (audit.Entries[1].Actor, audit.Entries[1].Reason));
    }

    [Fact]
    public async Task ABadGateList_IsInvalidArgumentWithItsPath_AndAnUnknownVersionIsNotFound()
    {
        var models = fixture.Server.Models;
        var tenant = $"e2e-{Guid.NewGuid():N}"[..16];
        await Register(models, tenant, auc: 0.85, groupA: 0.9, groupB: 0.9);

        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument, () => models.SetGatesAsync(new SetGatesRequest
        {
            Tenant = tenant, Name = "churn",
            Gates = { new ValidationGate { BeatChampion = new BeatChampionGate { Metric = "auc", Margin = double.NaN } }, new ValidationGate() },
        }).ResponseAsync, "gates[0].beat_champion.margin", "gates[1]");
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => models.EvaluateGatesAsync(new EvaluateGatesRequest { Tenant = tenant, Name = "churn", Version = "9" }).ResponseAsync, "has no version 9");
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => models.GetGatesAsync(new GetGatesRequest { Tenant = tenant, Name = "fraud" }).ResponseAsync, "model fraud does not exist");
    }

    private static async Task Register(ModelService.ModelServiceClient models, string tenant, double auc, double groupA, double? groupB)
    {
        var spec = new ModelVersionSpec
        {
            Artifact = new ModelArtifact { Digest = new string('c', 64), SizeBytes = 4096 },
            Metrics = { ["auc"] = auc, ["accuracy@group=a"] = groupA },
        };
        if (groupB is { } b) spec.Metrics["accuracy@group=b"] = b;
        await models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = "churn", Version = spec });
    }
}
