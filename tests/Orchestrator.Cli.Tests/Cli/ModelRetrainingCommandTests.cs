using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch models retraining / set / remove / budget / budget set and orch models retrain against a fake
/// server: the policy file is parsed and sent with the tenant, reason and user; a missing or malformed file is refused
/// before sending; status, history and the budget are printed as tables and JSON; a trigger while one waits or runs is
/// FAILED_PRECONDITION, exit code 2 as the help says.</summary>
public sealed class ModelRetrainingCommandTests
{
    private const string PolicyYaml = """
        pipeline: churn-retrain
        parameters: {until: "{{window_end}}", why: "{{trigger}}"}
        drift_windows: 3
        performance: {metric: accuracy, threshold: 0.8, windows: 2}
        cron: "0 3 * * 1"
        cooldown: 6h
        priority_class: batch
        auto_promote: false
        deployment: eu
        """;

    [Fact]
    public async Task Set_SendsTheParsedPolicyWithTenantReasonAndUser_AndSaysTheTriggers()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetRetrainingPolicy = request => new RetrainingStatus
        {
            Tenant = request.Tenant, Name = request.Name, Revision = 2, Phase = RetrainingPhase.Idle,
            Policy = Resolved(request.Policy),
        };
        using var file = new TempYamlFile(PolicyYaml);

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "ivan"),
            "models", "retraining", "set", "churn", "-f", file.Path, "--reason", "retrain on sustained drift", "--tenant", "acme");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<SetRetrainingPolicyRequest>());
        Assert.Equal(("acme", "churn", "retrain on sustained drift"), (request.Tenant, request.Name, request.Reason));
        var policy = request.Policy;
        Assert.Equal(("churn-retrain", 3, "0 3 * * 1", "6h", "batch", "eu"), (policy.Pipeline, policy.DriftWindows, policy.Cron, policy.Cooldown, policy.PriorityClass, policy.Deployment));
        Assert.Equal("{{window_end}}", policy.Parameters["until"]);
        Assert.Equal(("accuracy", 0.8, 2, false), (policy.Performance.Metric, policy.Performance.Threshold, policy.Performance.Windows, policy.Performance.HasHigherIsBetter));
        Assert.Equal((true, false), (policy.HasAutoPromote, policy.AutoPromote));
        Assert.Equal(["ivan"], server.Backend.ModelCallers);
        Assert.Equal(
            ["model churn: retraining policy set (revision 2): pipeline churn-retrain, drift in 3 consecutive windows, accuracy below 0.8 for 2 windows, cron \"0 3 * * 1\""],
            result.StdoutLines);
    }

    [Fact]
    public async Task Set_AMissingFile_NamesIt_Exits2_AndSendsNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var path = TempYamlFile.Missing();

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "set", "churn", "-f", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: -f '{path}': no such file", result.Stderr.TrimEnd());
        Assert.Empty(server.Backend.Requests);
    }

    [Theory]
    [InlineData("pipeline: churn-retrain\ndrift_windows: many\n", "line 2", "drift_windows")]
    [InlineData("pipeline: churn-retrain\nperformance: {metric: auc, treshold: 0.8}\n", "line 2", "performance.treshold")]
    [InlineData("pipeline: churn-retrain\nauto_promote: maybe\n", "line 2", "auto_promote")]
    public async Task Set_BadYaml_NamesFileLineAndField_Exits2_AndSendsNothing(string yaml, string line, string field)
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        using var file = new TempYamlFile(yaml);

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "set", "churn", "-f", file.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {file.Path}, {line}", result.Stderr);
        Assert.Contains(field, result.Stderr);
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Set_RefusedByTheServer_ShowsTheField_Exits2()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetRetrainingPolicy = _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "policy.cron: '0 3 * *' has 4 fields; give five"));
        using var file = new TempYamlFile("pipeline: churn-retrain\ncron: \"0 3 * *\"\n");

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "set", "churn", "-f", file.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: INVALID_ARGUMENT: policy.cron: '0 3 * *' has 4 fields; give five", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Show_WithoutAPolicy_SaysHowToSetOne()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRetrainingStatus = request => new RetrainingStatus { Tenant = "default", Name = request.Name, Phase = RetrainingPhase.Idle };

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "churn");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["model churn has no retraining policy; set one with `orch models retraining set churn -f retraining.yaml`"], result.StdoutLines);
        var request = Assert.Single(server.Backend.Received<GetRetrainingStatusRequest>());
        Assert.Equal(("default", "churn"), (request.Tenant, request.Name));
    }

    [Fact]
    public async Task Show_RunningWithHistory_PrintsThePolicyTheStandingAndOneRowPerRetraining()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var now = DateTimeOffset.UtcNow;
        server.Backend.GetRetrainingStatus = request => new RetrainingStatus
        {
            Tenant = "default", Name = request.Name, Revision = 1, Phase = RetrainingPhase.Running, RunId = "run-00000000000000b2",
            Policy = Resolved(new RetrainingPolicy { Pipeline = "churn-retrain", DriftWindows = 3, Cooldown = "6h", Deployment = "default", AutoPromote = true }),
            History =
            {
                new RetrainingRecord
                {
                    Number = 2, Outcome = RetrainingOutcome.Running, RunId = "run-00000000000000b2",
                    Trigger = new RetrainingTrigger { Kind = RetrainingTriggerKind.Drift, Reason = "drift in 3 windows", At = Timestamp.FromDateTimeOffset(now.AddMinutes(-3)) },
                    Message = "running",
                },
                new RetrainingRecord
                {
                    Number = 1, Outcome = RetrainingOutcome.Succeeded, RunId = "run-00000000000000a1", Version = 4, GatesPassed = false,
                    Trigger = new RetrainingTrigger { Kind = RetrainingTriggerKind.Manual, Reason = "by hand", At = Timestamp.FromDateTimeOffset(now.AddHours(-2)) },
                    Message = "version 4 failed its gates",
                },
            },
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "churn");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Squeezed(result);
        Assert.Contains("pipeline churn-retrain (tenant default)", lines);
        Assert.Contains("now retraining: run run-00000000000000b2", lines);
        Assert.Contains("promotion automatic: a version passing the gates becomes challenger", lines);
        Assert.Contains(lines, l => l.StartsWith("2 drift running run-00000000000000b2 - - 3m running", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("1 manual succeeded run-00000000000000a1 4 FAILED 2h version 4 failed its gates", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_Json_IsTheStatus()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRetrainingStatus = request => new RetrainingStatus
        {
            Tenant = "default", Name = request.Name, Phase = RetrainingPhase.Wanted, BudgetStanding = "2nd in line", Policy = Resolved(new RetrainingPolicy { Pipeline = "p" }),
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "churn", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var status = Google.Protobuf.JsonParser.Default.Parse<RetrainingStatus>(result.Stdout);
        Assert.Equal((RetrainingPhase.Wanted, "2nd in line", "p"), (status.Phase, status.BudgetStanding, status.Policy.Pipeline));
        Assert.Contains("\"budget_standing\": \"2nd in line\"", result.Stdout);
    }

    [Fact]
    public async Task Remove_SendsReasonAndUser_AndSaysRemoved()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.DeleteRetrainingPolicy = request => new RetrainingStatus { Tenant = request.Tenant, Name = request.Name, Phase = RetrainingPhase.Idle };

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "judy"), "models", "retraining", "remove", "churn", "--reason", "model retired", "--tenant", "acme");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<DeleteRetrainingPolicyRequest>());
        Assert.Equal(("acme", "churn", "model retired"), (request.Tenant, request.Name, request.Reason));
        Assert.Equal(["judy"], server.Backend.ModelCallers);
        Assert.Equal(["model churn: retraining policy removed"], result.StdoutLines);
    }

    [Fact]
    public async Task Remove_AnUnknownModel_ShowsNotFound_Exits2()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.DeleteRetrainingPolicy = _ => throw new RpcException(new Status(StatusCode.NotFound, "model churn has no retraining policy"));

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "remove", "churn");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: NOT_FOUND: model churn has no retraining policy", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Retrain_Submitted_SaysTheRun_AndSendsReasonAndUser()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.TriggerRetraining = request => new RetrainingStatus { Tenant = request.Tenant, Name = request.Name, Phase = RetrainingPhase.Running, RunId = "run-00000000000000c3" };

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "kim"), "models", "retrain", "churn", "--reason", "new labelled data landed");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<TriggerRetrainingRequest>());
        Assert.Equal(("default", "churn", "new labelled data landed"), (request.Tenant, request.Name, request.Reason));
        Assert.Equal(["kim"], server.Backend.ModelCallers);
        Assert.Equal(["model churn: retraining run run-00000000000000c3 submitted"], result.StdoutLines);
    }

    [Fact]
    public async Task Retrain_BeyondTheBudget_SaysItWaitsAndWhere()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.TriggerRetraining = request => new RetrainingStatus
        {
            Name = request.Name, Phase = RetrainingPhase.Wanted, BudgetStanding = "3rd in line: 10 of 10 retraining runs of the cluster are running",
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "retrain", "churn");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["model churn: retraining waits for the budget: 3rd in line: 10 of 10 retraining runs of the cluster are running"], result.StdoutLines);
    }

    [Fact]
    public async Task Retrain_WhileOneRuns_IsFailedPrecondition_Exits2_AsTheHelpSays()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.TriggerRetraining = _ => throw new RpcException(new Status(StatusCode.FailedPrecondition, "retraining run run-1 is running; the trigger is recorded"));

        var result = await CliHarness.RunAsync(server.Address, "models", "retrain", "churn");
        var help = await CliHarness.RunAsync(server.Address, "models", "retrain", "--help");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: FAILED_PRECONDITION: retraining run run-1 is running; the trigger is recorded", result.Stderr.TrimEnd());
        Assert.Contains("(exit code 2, FAILED_PRECONDITION)", help.Stdout.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Budget_PrintsTheLimits_AndOneRowPerHolderAndWaiter()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetRetrainingBudget = _ => new RetrainingBudget
        {
            Limits = new RetrainingBudgetLimits { MaxConcurrent = 10, MaxConcurrentPerTenant = 4, PerMinute = 30, Burst = 10 }, Enrolled = 7,
            Granted = { new BudgetHolder { Model = "acme/churn", Tenant = "acme" } },
            Waiting = { new BudgetWaiter { Model = "acme/fraud", Tenant = "acme", Since = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-4)) } },
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "budget");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Squeezed(result);
        Assert.Equal("limits: 10 at once, 4 per tenant, 30 per minute (burst 10); 1 running, 1 waiting; 7 models with a policy", lines[0]);
        Assert.Contains("acme/churn acme running -", lines);
        Assert.Contains("acme/fraud acme waiting 4m", lines);
        Assert.Single(server.Backend.Received<GetRetrainingBudgetRequest>());
    }

    [Fact]
    public async Task BudgetSet_SendsOnlyTheGivenLimits_WithTheUser_AndPrintsTheBudget()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetRetrainingBudget = request => new RetrainingBudget
        {
            Limits = new RetrainingBudgetLimits { MaxConcurrent = request.Limits.MaxConcurrent, MaxConcurrentPerTenant = 4, PerMinute = request.Limits.PerMinute, Burst = 10 },
        };

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "lee"), "models", "retraining", "budget", "set", "--max-concurrent", "5", "--per-minute", "2.5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var limits = Assert.Single(server.Backend.Received<SetRetrainingBudgetRequest>()).Limits;
        Assert.Equal((5, 0, 2.5, 0), (limits.MaxConcurrent, limits.MaxConcurrentPerTenant, limits.PerMinute, limits.Burst));
        Assert.Equal(["lee"], server.Backend.ModelCallers);
        Assert.Equal(["limits: 5 at once, 4 per tenant, 2.5 per minute (burst 10); 0 running, 0 waiting; 0 models with a policy"], result.StdoutLines);
    }

    [Fact]
    public async Task BudgetSet_Json_IsTheBudget()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetRetrainingBudget = request => new RetrainingBudget { Limits = request.Limits, GrantedTotal = 12 };

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "budget", "set", "--burst", "3", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var budget = Google.Protobuf.JsonParser.Default.Parse<RetrainingBudget>(result.Stdout);
        Assert.Equal((3, 12L), (budget.Limits.Burst, budget.GrantedTotal));
    }

    [Fact]
    public async Task BudgetSet_ANonNumber_IsAParseErrorNamingTheOption_Exits2()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();

        var result = await CliHarness.RunAsync(server.Address, "models", "retraining", "budget", "set", "--max-concurrent", "lots");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--max-concurrent", result.Stderr);
        Assert.Empty(server.Backend.Requests);
    }

    /// <summary>The policy as the server answers it: defaults filled in (tenant, direction, auto-promotion).</summary>
    private static RetrainingPolicy Resolved(RetrainingPolicy policy)
    {
        var resolved = policy.Clone();
        if (resolved.Tenant.Length == 0) resolved.Tenant = "default";
        if (resolved.Performance is { HasHigherIsBetter: false } p) p.HigherIsBetter = p.Metric is "accuracy" or "auc";
        if (!resolved.HasAutoPromote) resolved.AutoPromote = true;
        return resolved;
    }

    /// <summary>Stdout lines with runs of blanks made one, so table rows compare without their column padding.</summary>
    private static IReadOnlyList<string> Squeezed(CliResult result) =>
        result.StdoutLines.Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), " {2,}", " ")).ToList();

    private static Dictionary<string, string> Env(FakeOrchestratorServer server, string user) => new() { ["ORCH_SERVER"] = server.Address, ["USER"] = user };
}
