using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Progressive rollouts through a real server process over gRPC: a started rollout splits 10% to the
/// challenger, a manual advance moves it to 50%, a rollback returns all traffic to the champion, and each change is in
/// the model's audit trail; a start without a champion is FAILED_PRECONDITION and a bad plan INVALID_ARGUMENT naming
/// its field.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class RolloutTests(EmbeddedServerFixture fixture)
{
    [Fact]
    public async Task StartAdvanceRollBack_ChangeTheTrafficSplit_AndAreAudited()
    {
        var models = fixture.Server.Models;
        var rollouts = fixture.Server.Rollouts;
        var tenant = $"e2e-{Guid.NewGuid():N}"[..16];
        var where = new DeploymentRef { Tenant = tenant, Model = "churn", Deployment = "eu" };
        var dave = new Metadata { { "x-orch-user", "dave" } };
        await Register(models, tenant);
        await Register(models, tenant);
        await models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = "churn", Alias = "champion", Version = "1" });

        var started = await rollouts.StartRolloutAsync(new StartRolloutRequest { Deployment = where, Version = 2, Reason = "retrained" }, dave);
        var atTen = await rollouts.GetTrafficSplitAsync(new GetTrafficSplitRequest { Deployment = where });
        var advanced = await rollouts.AdvanceRolloutAsync(new AdvanceRolloutRequest { Deployment = where, Reason = "looks fine" }, dave);
        var atFifty = await rollouts.GetTrafficSplitAsync(new GetTrafficSplitRequest { Deployment = where });
        var rolledBack = await rollouts.RollBackRolloutAsync(new RollBackRolloutRequest { Deployment = where, Reason = "latency" }, dave);
        var after = await rollouts.GetTrafficSplitAsync(new GetTrafficSplitRequest { Deployment = where });

        Assert.Equal(("progressing", "eu", 10, 3), (started.Phase, started.Deployment, started.ChallengerPercent, started.Plan.Steps.Count));
        Assert.Equal((1, 2, 10, 90), (atTen.ChampionVersion, atTen.ChallengerVersion, atTen.ChallengerPercent, atTen.ChampionPercent));
        Assert.Equal((1, 50), (advanced.Step, atFifty.ChallengerPercent));
        Assert.Equal(("rolled_back", "rolled back by dave: latency"), (rolledBack.Phase, rolledBack.Reason));
        Assert.Equal((1, 0, 100, "rolled_back"), (after.ChampionVersion, after.ChallengerVersion, after.ChampionPercent, after.Phase));
        var audit = await models.GetAuditTrailAsync(new GetAuditTrailRequest { Tenant = tenant, Name = "churn", PageSize = 3 });
        Assert.Equal(["dave", "dave", "dave"], audit.Entries.Select(e => e.Actor));
        Assert.Equal(
            [ModelAuditAction.RolloutRolledBack, ModelAuditAction.AliasRemoved, ModelAuditAction.RolloutAdvanced],
            audit.Entries.Select(e => e.Action));
        Assert.Contains("rolled back by dave: latency", audit.Entries[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutAChampion_IsFailedPrecondition_AndABadPlanNamesItsField()
    {
        var models = fixture.Server.Models;
        var rollouts = fixture.Server.Rollouts;
        var tenant = $"e2e-{Guid.NewGuid():N}"[..16];
        var where = new DeploymentRef { Tenant = tenant, Model = "churn" };
        await Register(models, tenant);
        await Register(models, tenant);

        var noChampion = await Assert.ThrowsAsync<RpcException>(() => rollouts.StartRolloutAsync(new StartRolloutRequest { Deployment = where, Version = 2 }).ResponseAsync);
        var badPlan = await Assert.ThrowsAsync<RpcException>(() => rollouts.StartRolloutAsync(new StartRolloutRequest
        {
            Deployment = where, Version = 2, Plan = new RolloutPlan { Steps = { new RolloutStep { Percent = 50, MinPredictions = 10 } } },
        }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, noChampion.StatusCode);
        Assert.Contains("no champion", noChampion.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, badPlan.StatusCode);
        Assert.Contains("plan.steps[0].percent", badPlan.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task Register(ModelService.ModelServiceClient models, string tenant)
    {
        var spec = new ModelVersionSpec { Artifact = new ModelArtifact { Digest = new string('c', 64), SizeBytes = 4096 }, Metrics = { ["accuracy"] = 0.8 } };
        await models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = "churn", Version = spec });
    }
}
