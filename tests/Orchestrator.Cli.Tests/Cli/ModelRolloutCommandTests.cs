using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch models rollout start/status/advance/rollback and orch models split against a fake server: the
/// deployment, version, plan, reason and user sent; the rollout printed as lines and as JSON; bad --steps/--bake refused
/// before sending; server refusals shown with their status and mapped to exit code 2 (the request) or 1 (the server).</summary>
public sealed class ModelRolloutCommandTests
{
    [Fact]
    public async Task Start_WithStepsAndBake_SendsPlanDeploymentReasonAndUser_AndPrintsTheFirstStep()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.StartRollout = request => Progressing(request.Deployment, request.Version, request.Plan, step: 0);

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "erin"),
            "models", "rollout", "start", "churn", "--version", "7", "--steps", "5, 25%,100", "--bake", "30m", "--deployment", "eu",
            "--reason", "retrained", "--tenant", "acme");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<StartRolloutRequest>());
        Assert.Equal(("acme", "churn", "eu", 7, "retrained"), (request.Deployment.Tenant, request.Deployment.Model, request.Deployment.Deployment, request.Version, request.Reason));
        Assert.Equal([5, 25, 100], request.Plan.Steps.Select(s => s.Percent));
        Assert.All(request.Plan.Steps, s => Assert.Equal(TimeSpan.FromMinutes(30), s.Bake.ToTimeSpan()));
        Assert.Equal(["accuracy", "auc"], request.Plan.Guards.Select(g => g.Metric));
        Assert.Equal(["erin"], server.Backend.ModelCallers);
        Assert.Equal("model churn, deployment eu: version 7 at 5% (step 1 of 3) against champion 6", result.StdoutLines[0]);
    }

    [Fact]
    public async Task Start_WithoutStepsOrBake_SendsNoPlan_SoTheDeploymentsPolicyApplies()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.StartRollout = request => Progressing(request.Deployment, request.Version, DefaultPlan(), step: 0);

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "start", "churn", "--version", "7");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<StartRolloutRequest>());
        Assert.Null(request.Plan);
        Assert.Equal(("default", "churn", "", ""), (request.Deployment.Tenant, request.Deployment.Model, request.Deployment.Deployment, request.Reason));
    }

    [Theory]
    [InlineData("--steps", "10,fifty,100", "--steps '10,fifty,100': 'fifty' is not a percentage")]
    [InlineData("--bake", "soon", "--bake 'soon': expected a duration such as")]
    [InlineData("--bake", "10", "--bake '10': expected a duration such as")]
    public async Task Start_ABadStepsOrBake_NamesTheOption_Exits2_AndSendsNothing(string option, string value, string expected)
    {
        await using var server = await FakeOrchestratorServer.StartAsync();

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "start", "churn", "--version", "7", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {expected}", result.Stderr);
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Start_WithoutVersion_IsAParseError_Exits2()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "start", "churn");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--version", result.Stderr);
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Status_Progressing_PrintsTheStepAndEachVersionsTrafficAndMetrics()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRollout = request =>
        {
            var rollout = Progressing(request.Deployment, 7, DefaultPlan(), step: 1);
            rollout.Reason = "step 1 done after 10m00s";
            rollout.ChampionAtStep = new RolloutVersionStats { Version = 6, Predictions = 5000, Labeled = 1200, Metrics = { ["auc"] = 0.9, ["accuracy"] = 0.81 } };
            rollout.ChallengerAtStep = new RolloutVersionStats { Version = 7, Predictions = 4800, Labeled = 1100, Metrics = { ["accuracy"] = 0.8234567 } };
            return rollout;
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "status", "churn", "--deployment", "eu");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                "model churn, deployment eu: version 7 at 50% (step 2 of 3) against champion 6",
                "  step 1 done after 10m00s",
                "  champion 6: 5,000 predictions, 1,200 labeled, accuracy 0.81, auc 0.9",
                "  challenger 7: 4,800 predictions, 1,100 labeled, accuracy 0.8235",
            ],
            result.StdoutLines);
        var request = Assert.Single(server.Backend.Received<GetRolloutRequest>());
        Assert.Equal(("default", "churn", "eu"), (request.Deployment.Tenant, request.Deployment.Model, request.Deployment.Deployment));
    }

    [Fact]
    public async Task Status_ProgressingBeforeAnyTraffic_PrintsTheStepWithoutStats()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRollout = request => Progressing(request.Deployment, 7, DefaultPlan(), step: 0);

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "status", "churn");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("model churn, deployment default: version 7 at 10% (step 1 of 3) against champion 6", result.StdoutLines[0]);
    }

    [Fact]
    public async Task Status_Idle_SaysNoRolloutYet()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRollout = request => new Rollout { Tenant = "default", Model = request.Deployment.Model, Deployment = "default", Phase = "idle", ChampionVersion = 6 };

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "status", "churn");

        Assert.Equal(["model churn, deployment default: no rollout yet"], result.StdoutLines);
    }

    [Fact]
    public async Task Status_Json_IsTheRolloutWithProtoFieldNames()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRollout = request => Progressing(request.Deployment, 7, DefaultPlan(), step: 1);

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "status", "churn", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var parsed = Google.Protobuf.JsonParser.Default.Parse<Rollout>(result.Stdout);
        Assert.Equal(("progressing", 7, 6, 50, 3), (parsed.Phase, parsed.ChallengerVersion, parsed.ChampionVersion, parsed.ChallengerPercent, parsed.Plan.Steps.Count));
        Assert.Contains("\"challenger_percent\": 50", result.Stdout);
    }

    [Fact]
    public async Task Advance_SendsReasonAndUser_AndAtTheLastStepSaysCompleted()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.AdvanceRollout = request => new Rollout
        {
            Tenant = "default", Model = request.Deployment.Model, Deployment = "default", Phase = "completed", ChampionVersion = 7, ChallengerVersion = 7,
            Reason = "advanced by hand: metrics look fine",
        };

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "frank"), "models", "rollout", "advance", "churn", "--reason", "metrics look fine");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<AdvanceRolloutRequest>());
        Assert.Equal(("churn", "", "metrics look fine"), (request.Deployment.Model, request.Deployment.Deployment, request.Reason));
        Assert.Equal(["frank"], server.Backend.ModelCallers);
        Assert.Equal(["model churn, deployment default: rollout of version 7 completed", "  advanced by hand: metrics look fine"], result.StdoutLines);
    }

    [Fact]
    public async Task Advance_NothingInProgress_ShowsTheRefusal_Exits2()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.AdvanceRollout = _ => throw new RpcException(new Status(StatusCode.FailedPrecondition, "no rollout in progress for churn/default"));

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "advance", "churn");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: FAILED_PRECONDITION: no rollout in progress for churn/default", result.Stderr.TrimEnd());
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task RollBack_SendsReasonDeploymentAndUser_AndSaysRolledBack()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.RollBackRollout = request => new Rollout
        {
            Tenant = "default", Model = request.Deployment.Model, Deployment = request.Deployment.Deployment, Phase = "rolled_back",
            ChampionVersion = 6, ChallengerVersion = 7, Reason = "rolled back by hand: p99 latency doubled",
        };

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "gina"),
            "models", "rollout", "rollback", "churn", "--deployment", "eu", "--reason", "p99 latency doubled");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<RollBackRolloutRequest>());
        Assert.Equal(("churn", "eu", "p99 latency doubled"), (request.Deployment.Model, request.Deployment.Deployment, request.Reason));
        Assert.Equal(["gina"], server.Backend.ModelCallers);
        Assert.Equal(["model churn, deployment eu: rollout of version 7 rolled back", "  rolled back by hand: p99 latency doubled"], result.StdoutLines);
    }

    [Fact]
    public async Task RollBack_WithoutReason_IsAParseErrorNamingReason_Exits2_AndSendsNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "rollback", "churn");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--reason", result.Stderr);
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task RollBack_ServerInternalError_Exits1()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.RollBackRollout = _ => throw new RpcException(new Status(StatusCode.Internal, "storage unavailable"));

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "rollback", "churn", "--reason", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: INTERNAL: storage unavailable", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Split_PrintsBothShares_OrTheChampionAlone()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetTrafficSplit = request => request.Deployment.Deployment == "eu"
            ? new TrafficSplit { ChampionVersion = 6, ChallengerVersion = 7, ChampionPercent = 90, ChallengerPercent = 10, Phase = "progressing" }
            : new TrafficSplit { ChampionVersion = 6, ChampionPercent = 100, Phase = "completed" };

        var rolling = await CliHarness.RunAsync(server.Address, "models", "split", "churn", "--deployment", "eu", "--tenant", "acme");
        var settled = await CliHarness.RunAsync(server.Address, "models", "split", "churn");

        Assert.Equal(["champion version 6: 90%, challenger version 7: 10%"], rolling.StdoutLines);
        Assert.Equal(["champion version 6: 100%"], settled.StdoutLines);
        var requests = server.Backend.Received<GetTrafficSplitRequest>();
        Assert.Equal([("acme", "churn", "eu"), ("default", "churn", "")], requests.Select(r => (r.Deployment.Tenant, r.Deployment.Model, r.Deployment.Deployment)));
    }

    [Fact]
    public async Task Split_Json_IsTheTrafficSplit()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetTrafficSplit = _ => new TrafficSplit { ChampionVersion = 6, ChallengerVersion = 7, ChampionPercent = 50, ChallengerPercent = 50, Phase = "progressing" };

        var result = await CliHarness.RunAsync(server.Address, "models", "split", "churn", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var split = Google.Protobuf.JsonParser.Default.Parse<TrafficSplit>(result.Stdout);
        Assert.Equal((6, 7, 50, 50, "progressing"), (split.ChampionVersion, split.ChallengerVersion, split.ChampionPercent, split.ChallengerPercent, split.Phase));
    }

    private static RolloutPlan DefaultPlan()
    {
        var plan = new RolloutPlan();
        foreach (var percent in new[] { 10, 50, 100 }) plan.Steps.Add(new RolloutStep { Percent = percent, Bake = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) });
        plan.Guards.Add(new RolloutGuard { Metric = "accuracy", MaxRegression = 0.02 });
        return plan;
    }

    private static Rollout Progressing(DeploymentRef where, int version, RolloutPlan plan, int step) => new()
    {
        Tenant = where.Tenant, Model = where.Model, Deployment = where.Deployment.Length > 0 ? where.Deployment : "default", Phase = "progressing",
        ChampionVersion = 6, ChallengerVersion = version, Step = step, ChallengerPercent = plan.Steps[step].Percent, Plan = plan,
        StartedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-15)),
    };

    private static Dictionary<string, string> Env(FakeOrchestratorServer server, string user) => new() { ["ORCH_SERVER"] = server.Address, ["USER"] = user };
}
