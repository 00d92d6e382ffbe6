using Orchestrator.Core.Models;
using Orchestrator.Core.Models.Gates;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Models;

/// <summary>Verifies the model grain's gates in a cluster: a gate list is set (normalized, revisioned, audited) and read
/// back; a bad list is refused with its paths and changes nothing; a candidate is evaluated against the champion, the
/// result is stored on the version with the time and revision (and survives a deactivation) and audited as passed or failed; unknown models and
/// versions are NOT_FOUND.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ModelGateGrainTests(ClusterFixture fixture)
{
    private static readonly string Digest = new('b', 64);

    private static readonly ValidationGate[] Gates =
    [
        new() { Kind = GateKind.MetricThreshold, Expression = "auc >= 0.8" },
        new() { Kind = GateKind.BeatChampion, Metric = "auc", Margin = 0.02 },
        new() { Kind = GateKind.SegmentGap, Metric = "accuracy", Segments = ["group=a", "group=b"], MaxGap = 0.05 },
        new() { Kind = GateKind.MaxArtifactSize, MaxBytes = 10_000 },
    ];

    [Fact]
    public async Task SetGates_StoresTheNormalizedList_WithARevision_AndAnAuditEntry()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");
        await model.RegisterVersionAsync(Spec(0.8, 0.9, 0.9), "", "", "alice");

        var first = await model.SetGatesAsync(Gates, "release policy", "carol");
        var second = await model.SetGatesAsync(Gates[..1], "", "carol");
        var read = await model.GetGatesAsync();

        Assert.Equal((1, 2), (first.Revision, second.Revision));
        Assert.Equal(("auc>=0.8", true), (first.Gates[0].Expression, first.Gates[1].HigherIsBetter));
        Assert.Equal((2, "carol", s.Cluster.Clock.GetUtcNow()), (read.Revision, read.UpdatedBy, read.UpdatedAt));
        Assert.Single(read.Gates);
        var audit = await model.GetAuditAsync(10, 0);
        Assert.Equal(["gates set: 1 gate (revision 2)", "gates set: 4 gates (revision 1)"], audit.Entries.Take(2).Select(e => e.Summary));
        Assert.Equal((ModelAuditAction.GatesSet, "release policy"), (audit.Entries[1].Action, audit.Entries[1].Reason));
    }

    [Fact]
    public async Task SetGates_ABadList_IsRefusedWithThePaths_AndChangesNothing()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");
        await model.RegisterVersionAsync(Spec(0.8, 0.9, 0.9), "", "", "alice");
        await model.SetGatesAsync(Gates, "", "carol");

        var error = await Assert.ThrowsAsync<OrchestratorException>(() => model.SetGatesAsync(
            [Gates[0], new ValidationGate { Kind = GateKind.SegmentGap, Metric = "accuracy", Segments = ["group=a"], MaxGap = -1 }], "", "carol"));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(["gates[1].segment_gap.segments", "gates[1].segment_gap.max_gap"], error.Fields.Select(e => e.Field));
        Assert.Equal((1, 4), ((await model.GetGatesAsync()).Revision, (await model.GetGatesAsync()).Gates.Count));
        Assert.Equal(2, (await model.GetAuditAsync(10, 0)).Entries.Count);
    }

    [Fact]
    public async Task EvaluateGates_AgainstTheChampion_StoresTheResultOnTheVersion_AndAuditsIt()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");
        await model.RegisterVersionAsync(Spec(0.85, 0.9, 0.88), "", "", "alice");
        await model.RegisterVersionAsync(Spec(0.90, 0.9, 0.89), "", "", "alice");
        await model.RegisterVersionAsync(Spec(0.86, 0.95, 0.80), "", "", "alice");
        await model.SetAliasAsync("champion", "1", "", "alice");
        await model.SetGatesAsync(Gates, "", "carol");

        var good = await model.EvaluateGatesAsync("2", "candidate", "dave");
        var bad = await model.EvaluateGatesAsync("latest", "", "dave");

        Assert.True(good.Passed, string.Join("; ", good.Results.Select(r => r.Message)));
        Assert.Equal((2, 1, 1), (good.Version, good.ChampionVersion, good.GatesRevision));
        Assert.False(bad.Passed);
        Assert.Equal([true, false, false, true], bad.Results.Select(r => r.Passed));
        Assert.Contains("does not beat the champion (version 1, 0.85)", bad.Results[1].Message);
        Assert.Contains("gap 0.15", bad.Results[2].Message);

        await s.Cluster.DeactivateAsync(model);
        var stored = (await model.GetVersionAsync("3")).Record.GateEvaluation;
        Assert.NotNull(stored);
        Assert.Equal((false, s.Cluster.Clock.GetUtcNow(), 4), (stored.Passed, stored.EvaluatedAt, stored.Results.Count));
        Assert.Equal(bad.Results, stored.Results);
        Assert.Equal((1, 4, true), ((await model.GetGatesAsync()).Revision, (await model.GetGatesAsync()).Gates.Count, (await model.GetGatesAsync()).Gates[1].HigherIsBetter));
        Assert.Null((await model.GetVersionAsync("1")).Record.GateEvaluation);
        var audit = await model.GetAuditAsync(2, 0);
        Assert.Equal(
            ["version 3 failed the gates (2 of 4 passed, gates revision 1, champion version 1)", "version 2 passed the gates (4 of 4 passed, gates revision 1, champion version 1)"],
            audit.Entries.Select(e => e.Summary));
        Assert.Equal((ModelAuditAction.GatesPassed, "dave", "candidate"), (audit.Entries[1].Action, audit.Entries[1].Actor, audit.Entries[1].Reason));
    }

    [Fact]
    public async Task EvaluateGates_WithoutAChampion_PassesTheChampionGate_AndSaysSo()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");
        await model.RegisterVersionAsync(Spec(0.85, 0.9, 0.88), "", "", "alice");
        await model.SetGatesAsync(Gates[..2], "", "carol");

        var evaluation = await model.EvaluateGatesAsync("1", "", "dave");

        Assert.True(evaluation.Passed);
        Assert.Equal(0, evaluation.ChampionVersion);
        Assert.Contains("no champion yet", evaluation.Results[1].Message);
    }

    [Fact]
    public async Task Gates_OfAnUnknownModelOrVersion_AreNotFound()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s, "churn");

        var noModel = await Assert.ThrowsAsync<OrchestratorException>(() => model.GetGatesAsync());
        await model.RegisterVersionAsync(Spec(0.85, 0.9, 0.88), "", "", "alice");
        var noVersion = await Assert.ThrowsAsync<OrchestratorException>(() => model.EvaluateGatesAsync("7", "", "dave"));

        Assert.Equal(ErrorKind.NotFound, noModel.Kind);
        Assert.Equal((ErrorKind.NotFound, "version"), (noVersion.Kind, noVersion.Field));
        Assert.Contains("has no version 7", noVersion.Message);
    }

    private static IModelGrain Model(Scenario s, string name) => s.Grains.GetGrain<IModelGrain>(ModelGrain.KeyOf(s.Tenant, name));

    private static ModelVersionSpec Spec(double auc, double groupA, double groupB) => new()
    {
        Artifact = new ModelArtifact { Digest = Digest, SizeBytes = 2048 },
        Metrics = new Dictionary<string, double> { ["auc"] = auc, ["accuracy@group=a"] = groupA, ["accuracy@group=b"] = groupB },
    };
}
