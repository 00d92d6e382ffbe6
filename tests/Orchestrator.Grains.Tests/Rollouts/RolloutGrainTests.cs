using Orchestrator.Core.Models;
using Orchestrator.Core.Rollouts;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Rollouts;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Rollouts;

/// <summary>Verifies the rollout grain in a cluster on the fake clock: a start points the challenger alias and audits;
/// observations and bake time carry the rollout to completion, where the challenger becomes champion with the audit
/// entries in order; a regression rolls back by itself and the split returns to 100% champion; manual advance and
/// rollback; the policy; the progress survives a deactivation; and starts that make no sense are refused.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RolloutGrainTests(ClusterFixture fixture)
{
    private static readonly string Digest = new('a', 64);

    private static readonly RolloutPlan OneMinuteSteps = new()
    {
        Steps = [new(10, TimeSpan.FromMinutes(1), 100), new(50, TimeSpan.FromMinutes(1), 100), new(100, TimeSpan.FromMinutes(1), 100)],
        Guards = [new RolloutGuard("accuracy", 0.02, MinLabeled: 50)],
    };

    [Fact]
    public async Task Start_SetsTheChallengerAlias_AuditsTheStart_AndSplitsTenPercent()
    {
        await using var s = fixture.NewScenario();
        var model = await ModelWithChampionAsync(s);

        var progress = await Rollout(s).StartAsync(2, null, "new features", "alice");

        Assert.Equal((RolloutPhase.Progressing, 1, 2, 0), (progress.Phase, progress.Champion, progress.Challenger, progress.Step));
        Assert.Equal(2, (await model.GetAsync()).Aliases["challenger"]);
        var audit = (await model.GetAuditAsync(2, 0)).Entries;
        Assert.Equal([ModelAuditAction.RolloutStarted, ModelAuditAction.AliasSet], audit.Select(e => e.Action));
        Assert.Equal(("alice", "new features"), (audit[0].Actor, audit[0].Reason));
        Assert.Equal("rollout of version 2 started: deployment default, against champion 1, steps 10% 10m, 50% 10m, 100% 10m", audit[0].Summary);
        Assert.Equal(new TrafficSplit(1, 2, 10, RolloutPhase.Progressing), await Rollout(s).GetTrafficSplitAsync());
    }

    [Fact]
    public async Task ObservationsAndBakeTime_CompleteTheRollout_AndTheChallengerBecomesChampion()
    {
        await using var s = fixture.NewScenario();
        var model = await ModelWithChampionAsync(s);
        var rollout = Rollout(s);
        await rollout.StartAsync(2, OneMinuteSteps, "", "alice");

        foreach (var next in new[] { 1, 2 })
        {
            await rollout.ObserveAsync(Window(s, 0.80, 0.80));
            s.Cluster.Clock.Advance(TimeSpan.FromMinutes(1) + RolloutGrain.TickInterval);
            await Eventually.MatchAsync(rollout.GetAsync, p => p.Step == next, $"the rollout reaches step {next}");
        }

        await rollout.ObserveAsync(Window(s, 0.80, 0.81));
        s.Cluster.Clock.Advance(TimeSpan.FromMinutes(1) + RolloutGrain.TickInterval);
        var done = await Eventually.MatchAsync(rollout.GetAsync, p => p.Phase == RolloutPhase.Completed, "the rollout completes");

        var record = await model.GetAsync();
        Assert.Equal(2, record.Aliases["champion"]);
        Assert.False(record.Aliases.ContainsKey("challenger"));
        Assert.EndsWith("version 2 is champion", done.Reason, StringComparison.Ordinal);
        var audit = (await model.GetAuditAsync(7, 0)).Entries.Reverse().ToList();
        Assert.Equal(
            [ModelAuditAction.AliasSet, ModelAuditAction.RolloutStarted, ModelAuditAction.RolloutAdvanced, ModelAuditAction.RolloutAdvanced,
             ModelAuditAction.AliasMoved, ModelAuditAction.AliasRemoved, ModelAuditAction.RolloutCompleted],
            audit.Select(e => e.Action));
        Assert.Equal(RolloutGrain.SystemActor, audit[^1].Actor);
        Assert.Contains("10% held", audit[2].Detail, StringComparison.Ordinal);
        Assert.Equal(new TrafficSplit(2, 0, 0, RolloutPhase.Completed), await rollout.GetTrafficSplitAsync());
    }

    [Fact]
    public async Task ARegression_RollsBackByItself_AndTheSplitReturnsToTheChampion()
    {
        await using var s = fixture.NewScenario();
        var model = await ModelWithChampionAsync(s);
        var rollout = Rollout(s);
        await rollout.StartAsync(2, OneMinuteSteps, "", "alice");

        var progress = await rollout.ObserveAsync(Window(s, 0.79, 0.71));

        Assert.Equal(RolloutPhase.RolledBack, progress.Phase);
        Assert.Equal("challenger accuracy 0.71 is 0.08 below champion's 0.79 (guard: 0.02) over 100 labeled predictions", progress.Reason);
        Assert.Equal(new TrafficSplit(1, 0, 0, RolloutPhase.RolledBack), await rollout.GetTrafficSplitAsync());
        var record = await model.GetAsync();
        Assert.Equal(1, record.Aliases["champion"]);
        Assert.False(record.Aliases.ContainsKey("challenger"));
        var latest = (await model.GetAuditAsync(1, 0)).Entries[0];
        Assert.Equal((ModelAuditAction.RolloutRolledBack, 2, RolloutGrain.SystemActor), (latest.Action, latest.Version, latest.Actor));
        Assert.Contains("0.08 below champion's 0.79", latest.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManualAdvanceAndRollBack_AreAuditedWithWhoAndWhy_AndSurviveADeactivation()
    {
        await using var s = fixture.NewScenario();
        var model = await ModelWithChampionAsync(s);
        var rollout = Rollout(s);
        await rollout.StartAsync(2, null, "", "alice");

        var advanced = await rollout.AdvanceAsync("metrics look fine", "bob");
        await s.Cluster.DeactivateAsync(rollout);
        Assert.Equal((1, 50), ((await rollout.GetAsync()).Step, (await rollout.GetTrafficSplitAsync()).ChallengerPercent));
        var rolledBack = await rollout.RollBackAsync("latency too high", "carol");

        Assert.Equal(1, advanced.Step);
        Assert.Equal((RolloutPhase.RolledBack, "rolled back by carol: latency too high"), (rolledBack.Phase, rolledBack.Reason));
        var audit = (await model.GetAuditAsync(3, 0)).Entries;
        Assert.Equal([ModelAuditAction.RolloutRolledBack, ModelAuditAction.AliasRemoved, ModelAuditAction.RolloutAdvanced], audit.Select(e => e.Action));
        Assert.Equal(("bob", "metrics look fine"), (audit[2].Actor, audit[2].Reason));
        Assert.Equal(("carol", "latency too high"), (audit[0].Actor, audit[0].Reason));
    }

    [Fact]
    public async Task Policy_IsTheDefaultUntilSet_AndAStartWithoutAPlanFollowsIt()
    {
        await using var s = fixture.NewScenario();
        await ModelWithChampionAsync(s);
        var rollout = Rollout(s);

        Assert.Equal([10, 50, 100], (await rollout.GetPolicyAsync()).Steps.Select(x => x.Percent));
        await rollout.SetPolicyAsync(new RolloutPlan { Steps = [new(25, TimeSpan.FromMinutes(5)), new(100, TimeSpan.FromMinutes(5))] }, "", "alice");
        var progress = await rollout.StartAsync(2, null, "", "alice");

        Assert.Equal([25, 100], progress.Plan!.Steps.Select(x => x.Percent));
        Assert.Equal(25, (await rollout.GetTrafficSplitAsync()).ChallengerPercent);
    }

    [Fact]
    public async Task Start_IsRefused_WithoutAChampion_ForTheChampion_ForAnUnknownVersion_WithABadPlan_AndWhileInProgress()
    {
        await using var s = fixture.NewScenario();
        var model = Model(s);
        await model.RegisterVersionAsync(Spec(), "", "", "alice");
        await model.RegisterVersionAsync(Spec(), "", "", "alice");
        var rollout = Rollout(s);

        var noChampion = await Assert.ThrowsAsync<OrchestratorException>(() => rollout.StartAsync(2, null, "", "alice"));
        await model.SetAliasAsync("champion", "1", "", "alice");
        var itself = await Assert.ThrowsAsync<OrchestratorException>(() => rollout.StartAsync(1, null, "", "alice"));
        var unknown = await Assert.ThrowsAsync<OrchestratorException>(() => rollout.StartAsync(9, null, "", "alice"));
        var badPlan = await Assert.ThrowsAsync<OrchestratorException>(() => rollout.StartAsync(2, new RolloutPlan { Steps = [new(50, TimeSpan.FromMinutes(1))] }, "", "alice"));
        var nothingToAdvance = await Assert.ThrowsAsync<OrchestratorException>(() => rollout.AdvanceAsync("", "alice"));
        await rollout.StartAsync(2, null, "", "alice");
        var twice = await Assert.ThrowsAsync<OrchestratorException>(() => rollout.StartAsync(2, null, "", "alice"));

        Assert.Equal(ErrorKind.FailedPrecondition, noChampion.Kind);
        Assert.Contains("has no champion", noChampion.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.FailedPrecondition, itself.Kind);
        Assert.Equal((ErrorKind.NotFound, "version"), (unknown.Kind, unknown.Field));
        Assert.Equal((ErrorKind.InvalidArgument, "rollout.steps[0].percent"), (badPlan.Kind, badPlan.Field));
        Assert.Contains("no rollout in progress", nothingToAdvance.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.FailedPrecondition, twice.Kind);
        Assert.Contains("in progress", twice.Message, StringComparison.Ordinal);
    }

    private static async Task<IModelGrain> ModelWithChampionAsync(Scenario s)
    {
        var model = Model(s);
        await model.RegisterVersionAsync(Spec(), "", "", "alice");
        await model.RegisterVersionAsync(Spec(), "", "", "alice");
        await model.SetAliasAsync("champion", "1", "", "alice");
        return model;
    }

    private static RolloutObservation Window(Scenario s, double championAccuracy, double challengerAccuracy) =>
        new(s.Cluster.Clock.GetUtcNow(), [
            new VersionWindowStats(1, 900, 900, new Dictionary<string, double> { ["accuracy"] = championAccuracy }),
            new VersionWindowStats(2, 100, 100, new Dictionary<string, double> { ["accuracy"] = challengerAccuracy }),
        ]);

    private static IModelGrain Model(Scenario s) => s.Grains.GetGrain<IModelGrain>(ModelGrain.KeyOf(s.Tenant, "churn"));

    private static IRolloutGrain Rollout(Scenario s) => s.Grains.GetGrain<IRolloutGrain>(ModelDeployments.Key(s.Tenant, "churn", ""));

    private static ModelVersionSpec Spec() => new()
    {
        Artifact = new ModelArtifact { Digest = Digest, SizeBytes = 2048 },
        Metrics = new Dictionary<string, double> { ["accuracy"] = 0.8 },
    };
}
