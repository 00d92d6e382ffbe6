using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Retraining;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Retraining;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Retraining;

/// <summary>Verifies the retraining grains in a cluster: drift sustained for K windows submits one run of the policy's
/// pipeline with its parameters filled in; a trigger while it runs is recorded, not duplicated; when the run ends, the
/// version it registered is gated and becomes challenger, each step audited; the cluster-wide budget holds a second
/// model back until the first run ends; a failed run promotes nothing; and bad policies are refused naming the field.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RetrainingGrainTests(ClusterFixture fixture)
{
    private static readonly string Digest = new('b', 64);

    [Fact]
    public async Task SustainedDrift_SubmitsOneRun_ThenGatesAndPromotesTheVersionItRegistered()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await SetBudgetAsync(s, new RetrainingBudgetSpec(10, 4, 1000, 100));
        var (model, retraining) = await ModelWithPolicyAsync(s, "churn", new RetrainingPolicy
        {
            Pipeline = "retrain", Tenant = s.Tenant, DriftWindows = 2,
            Parameters = new Dictionary<string, string> { ["until"] = "{{window_end}}", ["why"] = "{{trigger}} of {{model}}" },
        });
        var t0 = s.Cluster.Clock.GetUtcNow();

        // Windows arrive one-way, as the monitor sends them.
        await retraining.OnWindowsAsync(ModelDeployments.Default, [Drifted(t0)]);
        var afterOne = await Eventually.MatchAsync(retraining.GetAsync, r => r.State!.DriftStreak == 1, "the first drifted window to count");
        Assert.Equal((RetrainingPhase.Idle, 0), (afterOne.State!.Phase, afterOne.History.Count));

        await retraining.OnWindowsAsync(ModelDeployments.Default, [Drifted(t0.AddMinutes(10))]);
        var running = await Eventually.MatchAsync(retraining.GetAsync, r => r.State!.Phase == RetrainingPhase.Running, "the retraining run to be submitted");
        var runId = running.State!.Run!;
        var run = await s.Run(runId).GetAsync(includeEvents: false);
        Assert.Equal("retrain", run.Definition.Pipeline);
        Assert.Equal(t0.AddMinutes(10).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"), run.Parameters["until"]);
        Assert.Equal("drift of churn", run.Parameters["why"]);
        Assert.Equal(ModelGrain.KeyOf(s.Tenant, "churn"), run.Definition.Labels[RetrainingGrain.RunLabel]);

        // Two more drifted windows while it runs: recorded, not a second run.
        await retraining.OnWindowsAsync(ModelDeployments.Default, [Drifted(t0.AddMinutes(20)), Drifted(t0.AddMinutes(30))]);
        var stillOne = await Eventually.MatchAsync(retraining.GetAsync, r => r.State!.Recorded is not null, "the trigger to be recorded");
        Assert.Equal((runId, TriggerKind.Drift), (stillOne.State!.Run, stillOne.State.Recorded!.Kind));
        Assert.Single(stillOne.History);
        // The state is written before the model's audit entry: wait for the entry, so the order below is the order the
        // test causes (the registration comes after it), not a race between the two grains.
        await Eventually.MatchAsync(() => model.GetAuditAsync(20, 0), a => a.Entries.Count(e => e.Action == ModelAuditAction.RetrainingTriggered) == 2,
            "the recorded trigger's audit entry");

        // The pipeline registers its version (as a register step would), then succeeds.
        var train = await agent.WaitForAssignmentAsync(runId, "train");
        await model.RegisterVersionAsync(Spec(0.9) with { Source = new ModelSource { RunId = runId, StepKey = "train", Pipeline = "retrain" } }, "", "trained", "pipeline");
        await agent.SucceedAsync(train, Artifacts.Text("model", "weights"));

        var done = await Eventually.MatchAsync(retraining.GetAsync, r => r.History[0].Outcome == RetrainingOutcome.Succeeded && r.History[0].GatesPassed is not null,
            "the retraining to be gated");
        var record = done.History[0];
        Assert.Equal((2, true, true), (record.Version, record.GatesPassed, record.Promoted));
        Assert.Equal(RetrainingPhase.Cooling, done.State!.Phase);
        Assert.Null(done.State.Recorded); // drift measured on the replaced model is dropped after a success
        Assert.Equal(2, (await model.GetVersionAsync("challenger")).Record.Version);
        var actions = (await model.GetAuditAsync(20, 0)).Entries.Select(e => e.Action).Reverse().ToList();
        Assert.Equal(
            [ModelAuditAction.RetrainingTriggered, ModelAuditAction.RetrainingStarted, ModelAuditAction.RetrainingTriggered, ModelAuditAction.VersionRegistered,
             ModelAuditAction.RetrainingFinished, ModelAuditAction.GatesPassed, ModelAuditAction.AliasSet, ModelAuditAction.RolloutStarted],
            actions.SkipWhile(a => a != ModelAuditAction.RetrainingStarted).Prepend(ModelAuditAction.RetrainingTriggered));
    }

    [Fact]
    public async Task TheBudget_HoldsASecondModelBack_UntilTheFirstRunEnds()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await SetBudgetAsync(s, new RetrainingBudgetSpec(1, 1, 1000, 100));
        try
        {
            var (_, first) = await ModelWithPolicyAsync(s, "first", new RetrainingPolicy { Pipeline = "retrain", Tenant = s.Tenant });
            var (_, second) = await ModelWithPolicyAsync(s, "second", new RetrainingPolicy { Pipeline = "retrain", Tenant = s.Tenant });

            var one = await first.TriggerAsync("new data landed", "alice");
            var two = await second.TriggerAsync("new data landed", "alice");

            Assert.Equal(RetrainingPhase.Running, one.State!.Phase);
            Assert.Equal((RetrainingPhase.Wanted, RetrainingOutcome.Waiting), (two.State!.Phase, two.History[0].Outcome));
            Assert.Contains("1 of 1 retraining runs of the cluster are running", two.BudgetStanding);
            var budget = await s.Grains.GetGrain<IRetrainingBudgetGrain>(RetrainingBudgetGrain.Key).GetAsync();
            Assert.Equal([ModelGrain.KeyOf(s.Tenant, "first")], budget.Granted.Keys);
            Assert.Equal([ModelGrain.KeyOf(s.Tenant, "second")], budget.Waiting.Select(w => w.Model));

            await agent.SucceedAsync(await agent.WaitForAssignmentAsync(one.State.Run!, "train"), Artifacts.Text("model", "weights"));

            var submitted = await Eventually.MatchAsync(second.GetAsync, r => r.State!.Phase == RetrainingPhase.Running, "the second model's run to be submitted");
            await agent.SucceedAsync(await agent.WaitForAssignmentAsync(submitted.State!.Run!, "train"), Artifacts.Text("model", "weights"));
            await Eventually.MatchAsync(second.GetAsync, r => r.State!.Phase == RetrainingPhase.Cooling, "the second run to end");
            var firstDone = await first.GetAsync();
            Assert.Contains("registered no version of model first", firstDone.History[0].Message);
        }
        finally
        {
            await SetBudgetAsync(s, new RetrainingBudgetSpec());
        }
    }

    [Fact]
    public async Task AFailedRun_PromotesNothing_AndAManualTriggerWhileRunningIsRefusedAsRecorded()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await SetBudgetAsync(s, new RetrainingBudgetSpec(10, 4, 1000, 100));
        var (model, retraining) = await ModelWithPolicyAsync(s, "churn", new RetrainingPolicy { Pipeline = "retrain", Tenant = s.Tenant });

        var started = await retraining.TriggerAsync("", "alice");
        var again = await Assert.ThrowsAsync<OrchestratorException>(() => retraining.TriggerAsync("", "bob"));
        Assert.Equal(ErrorKind.FailedPrecondition, again.Kind);
        Assert.Contains($"run {started.State!.Run} is retraining this model", again.Message);

        await agent.FailAsync(await agent.WaitForAssignmentAsync(started.State.Run!, "train"));

        // The recorded manual trigger goes as soon as the failed run ended.
        var next = await Eventually.MatchAsync(retraining.GetAsync, r => r.History.Count == 2 && r.History[1].Outcome == RetrainingOutcome.Failed,
            "the failed run to be recorded");
        Assert.Equal((0, false), (next.History[1].Version, next.History[1].Promoted));
        Assert.Contains("asked by bob", next.History[0].Trigger.Reason);
        var aliases = (await model.GetAsync()).Aliases;
        Assert.False(aliases.ContainsKey("challenger"));
        await s.Run(next.History[0].RunId).CancelAsync("test", "the test is over");
        await s.WaitForStateAsync(next.History[0].RunId, RunState.Cancelled);
    }

    [Fact]
    public async Task RemovingThePolicy_StopsTriggers_ButARunningRetrainingStillEnds()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await SetBudgetAsync(s, new RetrainingBudgetSpec(10, 4, 1000, 100));
        var (_, retraining) = await ModelWithPolicyAsync(s, "churn", new RetrainingPolicy { Pipeline = "retrain", Tenant = s.Tenant, DriftWindows = 1 });
        var started = await retraining.TriggerAsync("", "alice");

        var removed = await retraining.RemovePolicyAsync("model retired", "alice");
        await retraining.OnWindowsAsync(ModelDeployments.Default, [Drifted(s.Cluster.Clock.GetUtcNow())]);
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(started.State!.Run!, "train"), Artifacts.Text("model", "weights"));

        Assert.Null(removed.Policy);
        var ended = await Eventually.MatchAsync(retraining.GetAsync, r => r.History[0].Outcome == RetrainingOutcome.Succeeded, "the running retraining to end");
        Assert.Equal((RetrainingPhase.Cooling, 0, 1), (ended.State!.Phase, ended.State.DriftStreak, ended.History.Count));
        var manual = await Assert.ThrowsAsync<OrchestratorException>(() => retraining.TriggerAsync("", "bob"));
        Assert.Contains("has no retraining policy", manual.Message);
    }

    [Fact]
    public async Task BadPolicies_AreRefusedNamingTheField_AndStoreNothing()
    {
        await using var s = fixture.NewScenario();
        var (_, retraining) = await ModelWithPolicyAsync(s, "churn", null);

        var missing = await Assert.ThrowsAsync<OrchestratorException>(() =>
            retraining.SetPolicyAsync(new RetrainingPolicy { Pipeline = "nope", Tenant = s.Tenant }, "", "alice"));
        var placeholder = await Assert.ThrowsAsync<OrchestratorException>(() => retraining.SetPolicyAsync(
            new RetrainingPolicy { Pipeline = "retrain", Tenant = s.Tenant, Parameters = new Dictionary<string, string> { ["x"] = "{{params.lr}}" } }, "", "alice"));
        var cron = await Assert.ThrowsAsync<OrchestratorException>(() =>
            retraining.SetPolicyAsync(new RetrainingPolicy { Pipeline = "retrain", Tenant = s.Tenant, Cron = "61 * * * *" }, "", "alice"));
        var manual = await Assert.ThrowsAsync<OrchestratorException>(() => retraining.TriggerAsync("", "alice"));

        Assert.Equal(("policy.pipeline", ErrorKind.InvalidArgument), (missing.Field, missing.Kind));
        Assert.Contains("does not exist in tenant", missing.Message);
        Assert.Equal("policy.parameters.x", placeholder.Field);
        Assert.Contains("{{params.lr}}", placeholder.Message);
        Assert.Equal("policy.cron", cron.Field);
        Assert.Equal(ErrorKind.FailedPrecondition, manual.Kind);
        Assert.Null((await retraining.GetAsync()).Policy);
    }

    private static async Task<(IModelGrain Model, IRetrainingGrain Retraining)> ModelWithPolicyAsync(Scenario s, string name, RetrainingPolicy? policy)
    {
        if (name is "churn" or "first")
        {
            await s.CreatePipelineAsync(Specs.Pipeline("retrain", Specs.Step("train", s.Id, "model")) with
            {
                Parameters =
                [
                    new ParameterSpec { Name = "until", Default = "" },
                    new ParameterSpec { Name = "why", Default = "" },
                ],
            });
        }

        var model = s.Grains.GetGrain<IModelGrain>(ModelGrain.KeyOf(s.Tenant, name));
        await model.RegisterVersionAsync(Spec(0.8), "", "first", "alice");
        await model.SetAliasAsync("champion", "1", "", "alice");
        var retraining = s.Grains.GetGrain<IRetrainingGrain>(ModelGrain.KeyOf(s.Tenant, name));
        if (policy is not null) await retraining.SetPolicyAsync(policy, "test", "alice");
        return (model, retraining);
    }

    private static Task SetBudgetAsync(Scenario s, RetrainingBudgetSpec spec) =>
        s.Grains.GetGrain<IRetrainingBudgetGrain>(RetrainingBudgetGrain.Key).ConfigureAsync(spec, "test");

    private static WindowOutcome Drifted(DateTimeOffset end) => new(end, true, 0.75, new Dictionary<string, double>());

    private static ModelVersionSpec Spec(double auc) => new()
    {
        Artifact = new ModelArtifact { Digest = Digest, SizeBytes = 2048 },
        Metrics = new Dictionary<string, double> { ["auc"] = auc },
        Profile = new BaselineProfile
        {
            Numeric = new Dictionary<string, NumericFeatureProfile> { ["age"] = new() { BinEdges = [40], Proportions = [0.5, 0.5], Sample = [30, 50] } },
        },
    };
}
