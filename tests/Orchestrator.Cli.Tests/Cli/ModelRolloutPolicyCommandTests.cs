using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch models rollout policy / policy set against a fake server: the plan file is parsed and sent with
/// the deployment, reason and user; a missing, malformed or empty file is refused before sending with the file, line and
/// field named; the plan is printed as step and guard tables, as JSON, and as YAML that policy set reads back.</summary>
public sealed class ModelRolloutPolicyCommandTests
{
    private const string PlanYaml = """
        steps:
          - {percent: 5, bake: 600s}
          - {percent: 25, bake: 1800s, min_predictions: 1000}
          - {percent: 100, bake: 3600s}
        guards:
          - {metric: accuracy, max_regression: 0.02}
          - {metric: rmse, max_regression: 0.5, direction: lower, min_labeled: 500}
        """;

    [Fact]
    public async Task Set_SendsTheParsedPlanWithDeploymentReasonAndUser_AndSaysTheSteps()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetRolloutPolicy = request => request.Plan;
        using var file = new TempYamlFile(PlanYaml);

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "hana"),
            "models", "rollout", "policy", "set", "churn", "-f", file.Path, "--deployment", "eu", "--reason", "slower canary", "--tenant", "acme");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<SetRolloutPolicyRequest>());
        Assert.Equal(("acme", "churn", "eu", "slower canary"), (request.Deployment.Tenant, request.Deployment.Model, request.Deployment.Deployment, request.Reason));
        Assert.Equal([5, 25, 100], request.Plan.Steps.Select(s => s.Percent));
        Assert.Equal([600.0, 1800.0, 3600.0], request.Plan.Steps.Select(s => s.Bake.ToTimeSpan().TotalSeconds));
        Assert.Equal([0L, 1000L, 0L], request.Plan.Steps.Select(s => s.MinPredictions));
        Assert.Equal(("rmse", 0.5, "lower", 500L), (request.Plan.Guards[1].Metric, request.Plan.Guards[1].MaxRegression, request.Plan.Guards[1].Direction, request.Plan.Guards[1].MinLabeled));
        Assert.Equal(["hana"], server.Backend.ModelCallers);
        Assert.Equal(["model churn, deployment eu: rollout policy set: 5%/25%/100%, 2 guards"], result.StdoutLines);
    }

    [Fact]
    public async Task Set_Json_PrintsThePlanTheServerStored()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetRolloutPolicy = request => request.Plan;
        using var file = new TempYamlFile(PlanYaml);

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "set", "churn", "-f", file.Path, "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var plan = Google.Protobuf.JsonParser.Default.Parse<RolloutPlan>(result.Stdout);
        Assert.Equal(Assert.Single(server.Backend.Received<SetRolloutPolicyRequest>()).Plan, plan);
        Assert.Contains("\"min_predictions\": \"1000\"", result.Stdout);
    }

    [Fact]
    public async Task Set_AMissingFile_NamesIt_Exits2_AndSendsNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var path = TempYamlFile.Missing();

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "set", "churn", "-f", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: -f '{path}': no such file", result.Stderr.TrimEnd());
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Set_WithoutFile_IsAParseErrorNamingTheOption_Exits2()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "set", "churn");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--file", result.Stderr);
        Assert.Empty(server.Backend.Requests);
    }

    [Theory]
    [InlineData("steps:\n  - {percent: 10}\n  - {percent: ten}\n", "line 3", "steps[1].percent")]
    [InlineData("steps:\n  - {percent: 100}\nguards:\n  - {metrc: auc}\n", "line 4", "guards[0].metrc")]
    public async Task Set_BadYaml_NamesFileLineAndField_Exits2_AndSendsNothing(string yaml, string line, string field)
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        using var file = new TempYamlFile(yaml);

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "set", "churn", "-f", file.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {file.Path}, {line}", result.Stderr);
        Assert.Contains(field, result.Stderr);
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Set_ABakeInMinutes_SaysToWriteSeconds()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        using var file = new TempYamlFile("steps:\n  - {percent: 100, bake: 10m}\n");

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "set", "churn", "-f", file.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("steps[0].bake", result.Stderr);
        Assert.Contains("90s", result.Stderr);
    }

    [Fact]
    public async Task Set_APlanWithoutSteps_IsRefusedNamingSteps_Exits2_AndSendsNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        using var file = new TempYamlFile("guards:\n  - {metric: auc, max_regression: 0.01}\n");

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "set", "churn", "-f", file.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {file.Path}: steps: the plan has no steps", result.Stderr);
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Set_RefusedByTheServer_ShowsTheField_Exits2()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetRolloutPolicy = _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "plan.steps[1].percent: 20 does not rise above the previous step's 50"));
        using var file = new TempYamlFile("steps:\n  - {percent: 50, bake: 60s}\n  - {percent: 20, bake: 60s}\n");

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "set", "churn", "-f", file.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: INVALID_ARGUMENT: plan.steps[1].percent: 20 does not rise above the previous step's 50", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Show_PrintsOneRowPerStepAndPerGuard_ForTheDeployment()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRolloutPolicy = _ => new RolloutPlan
        {
            Steps =
            {
                new RolloutStep { Percent = 10, Bake = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) },
                new RolloutStep { Percent = 100, MinPredictions = 2500 },
            },
            Guards = { new RolloutGuard { Metric = "accuracy", MaxRegression = 0.02 }, new RolloutGuard { Metric = "rmse", MaxRegression = 0.5, Direction = "lower", MinLabeled = 500 } },
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "churn", "--deployment", "eu");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<GetRolloutPolicyRequest>());
        Assert.Equal(("default", "churn", "eu"), (request.Deployment.Tenant, request.Deployment.Model, request.Deployment.Deployment));
        Assert.Equal("model churn, deployment eu: rollout plan, 2 steps, 2 guards", result.StdoutLines[0]);
        Assert.Contains(Squeezed(result), l => l == "1 10% 10m00s -");
        Assert.Contains(Squeezed(result), l => l == "2 100% - 2,500");
        Assert.Contains(Squeezed(result), l => l == "accuracy 0.02 from the name 100 (default)");
        Assert.Contains(Squeezed(result), l => l == "rmse 0.5 lower 500");
    }

    [Fact]
    public async Task Show_APlanWithoutGuards_SaysItNeverRollsBackByItself()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRolloutPolicy = _ => new RolloutPlan { Steps = { new RolloutStep { Percent = 100, MinPredictions = 10 } } };

        var result = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "churn");

        Assert.Equal("model churn, deployment default: rollout plan, 1 step, 0 guards", result.StdoutLines[0]);
        Assert.Equal("no guards: the rollout never rolls back by itself", result.StdoutLines[^1]);
    }

    [Fact]
    public async Task Show_Yaml_IsAFileThatSetReadsBack()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var stored = new RolloutPlan
        {
            Steps = { new RolloutStep { Percent = 20, Bake = Duration.FromTimeSpan(TimeSpan.FromSeconds(90)), MinPredictions = 100 }, new RolloutStep { Percent = 100, Bake = Duration.FromTimeSpan(TimeSpan.FromHours(1)) } },
            Guards = { new RolloutGuard { Metric = "auc", MaxRegression = 0.01, MinLabeled = 300 } },
        };
        server.Backend.GetRolloutPolicy = _ => stored;
        server.Backend.SetRolloutPolicy = request => request.Plan;

        var shown = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "churn", "-o", "yaml");
        using var file = new TempYamlFile(shown.Stdout);
        var set = await CliHarness.RunAsync(server.Address, "models", "rollout", "policy", "set", "churn", "-f", file.Path);

        Assert.True(set.ExitCode == 0, $"{shown}\n{set}");
        Assert.Equal(stored, Assert.Single(server.Backend.Received<SetRolloutPolicyRequest>()).Plan);
    }

    /// <summary>Stdout lines with runs of blanks made one, so table rows compare without their column padding.</summary>
    private static IReadOnlyList<string> Squeezed(CliResult result) =>
        result.StdoutLines.Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), " {2,}", " ")).ToList();

    private static Dictionary<string, string> Env(FakeOrchestratorServer server, string user) => new() { ["ORCH_SERVER"] = server.Address, ["USER"] = user };
}
