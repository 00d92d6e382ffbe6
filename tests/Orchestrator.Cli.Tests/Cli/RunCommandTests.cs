using System.Text;

using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch run submit/list/get/cancel/retry/logs against a fake server: the requests sent and what is printed.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Submit_SendsParamsAsStringValues_LabelsPriorityRequestIdAndCacheSwitch_AndPrintsTheRunId()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SubmitRun = request => new Run { Id = "r-42", Pipeline = request.Pipeline, State = RunState.Pending };

        var result = await CliHarness.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["ORCH_SERVER"] = server.Address, ["ORCH_TENANT"] = "growth", ["USER"] = "alice" },
            "run", "submit", "churn", "--version", "3", "-p", "rows=100", "--param", "learning_rates=[0.1, 0.01]", "-p", "expr=a=b",
            "--label", "team=ml", "--label", "ticket=ML-7", "-p", "@owner=x", "--priority", "5", "--request-id", "nightly-1", "--no-cache");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("r-42\n", result.Stdout);
        var request = Assert.Single(server.Backend.Received<SubmitRunRequest>());
        Assert.Equal(("growth", "churn", "3"), (request.Tenant, request.Pipeline, request.PipelineVersion));
        Assert.Equal(Value.ForString("100"), request.Parameters["rows"]);
        Assert.Equal(Value.ForString("[0.1, 0.01]"), request.Parameters["learning_rates"]);
        Assert.Equal(Value.ForString("a=b"), request.Parameters["expr"]);
        Assert.Equal(Value.ForString("x"), request.Parameters["@owner"]);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "ml", ["ticket"] = "ML-7" }, request.Labels);
        Assert.Equal((5, "nightly-1", true, "alice"), (request.Priority, request.RequestId, request.DisableCache, request.SubmittedBy));
    }

    [Fact]
    public async Task Submit_PriorityClassAndWholeRunAdmission_AreSentAsGiven()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SubmitRun = request => new Run { Id = "r-43", Pipeline = request.Pipeline, State = RunState.Pending };

        var result = await CliHarness.RunWithEnvironmentAsync(new Dictionary<string, string> { ["ORCH_SERVER"] = server.Address },
            "run", "submit", "sweep", "--priority-class", "high", "--admission", "whole-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(server.Backend.Received<SubmitRunRequest>());
        Assert.Equal(("high", 0, Admission.WholeRun), (request.PriorityClass, request.Priority, request.Admission));
    }

    [Fact]
    public async Task Submit_JsonOutput_IsTheRun()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var run = new Run { Id = "r-43", Pipeline = "churn", PipelineVersion = 2, State = RunState.Pending, Labels = { ["team"] = "ml" } };
        server.Backend.SubmitRun = _ => run;

        var result = await CliHarness.RunAsync(server.Address, "run", "submit", "churn", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(run, JsonParser.Default.Parse<Run>(result.Stdout));
        Assert.Contains("\"pipeline_version\": 2", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-p", "rows", "error: --param 'rows' is not KEY=VALUE; write it like --param rows=4000")]
    [InlineData("-p", "=5", "error: --param '=5' is not KEY=VALUE; write it like --param rows=4000")]
    [InlineData("--label", "team", "error: --label 'team' is not KEY=VALUE; write it like --label team=growth")]
    public async Task Submit_MalformedKeyValue_Exits2WithoutCallingTheServer(string option, string value, string message)
    {
        await using var server = await FakeOrchestratorServer.StartAsync();

        var result = await CliHarness.RunAsync(server.Address, "run", "submit", "churn", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(message, result.Stderr.TrimEnd());
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Submit_ParamGivenTwice_Exits2()
    {
        var result = await CliHarness.RunAsync("http://127.0.0.1:1", "run", "submit", "churn", "-p", "rows=1", "-p", "rows=2");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --param 'rows' is given twice; give each key once", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task List_WithAll_FollowsEveryPage_SendsTheFilters_AndShowsOneRowPerRun()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var now = DateTimeOffset.UtcNow;
        server.Backend.ListRuns = request => request.PageToken switch
        {
            "" => new ListRunsResponse { Runs = { ListedRun("r-3", RunState.Running, now.AddMinutes(-2), null) }, NextPageToken = "p2" },
            "p2" => new ListRunsResponse { Runs = { ListedRun("r-2", RunState.Failed, now.AddHours(-3), now.AddHours(-3).AddSeconds(65)) }, NextPageToken = "p3" },
            _ => new ListRunsResponse { Runs = { ListedRun("r-1", RunState.Succeeded, now.AddDays(-2), now.AddDays(-2).AddMinutes(4)) } },
        };

        var result = await CliHarness.RunAsync(server.Address, "run", "list", "--pipeline", "churn", "--state", "running", "--state", "RUN_STATE_FAILED",
            "--state", "Succeeded", "--label", "team=ml", "--label", "env=prod", "--limit", "1", "--all");

        Assert.True(result.ExitCode == 0, result.ToString());
        var requests = server.Backend.Received<ListRunsRequest>();
        Assert.Equal(["", "p2", "p3"], requests.Select(r => r.PageToken));
        var first = requests[0];
        Assert.Equal(("default", "churn", 1, "team=ml,env=prod"), (first.Tenant, first.Pipeline, first.PageSize, first.LabelSelector));
        Assert.Equal([RunState.Running, RunState.Failed, RunState.Succeeded], first.States);
        var lines = result.StdoutLines;
        Assert.Matches(@"^ID\s+PIPELINE\s+STATE\s+STEPS\s+AGE\s+DURATION\s+LABELS", lines[0]);
        Assert.Matches(@"^r-3\s+churn@2\s+running\s+2/5\s+2m\s+\S+\s+team=ml$", lines[1]);
        Assert.Matches(@"^r-2\s+churn@2\s+failed\s+2/5\s+3h\s+1m05s\s+team=ml$", lines[2]);
        Assert.Matches(@"^r-1\s+churn@2\s+succeeded\s+2/5\s+2d\s+4m00s\s+team=ml$", lines[3]);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task List_OnePage_HintsTheNextPageTokenOnStderr_AndJsonParsesBack()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var page = new ListRunsResponse { Runs = { ListedRun("r-9", RunState.Pending, DateTimeOffset.UtcNow, null) }, NextPageToken = "next-1" };
        server.Backend.ListRuns = _ => page;

        var table = await CliHarness.RunAsync(server.Address, "run", "list");
        var json = await CliHarness.RunAsync(server.Address, "run", "list", "-o", "json");

        Assert.Equal("more runs: add --page-token next-1 (or --all)", table.Stderr.TrimEnd());
        Assert.Equal(50, server.Backend.Received<ListRunsRequest>()[0].PageSize);
        Assert.Equal(page, JsonParser.Default.Parse<ListRunsResponse>(json.Stdout));
    }

    [Fact]
    public async Task List_UnknownState_Exits2ListingTheValidOnes()
    {
        var result = await CliHarness.RunAsync("http://127.0.0.1:1", "run", "list", "--state", "done");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --state 'done' is not one of: pending, running, succeeded, failed, cancelled", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Get_ShowsEveryStepAndTheLastEvents()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-5", RunState.Failed);
        var run = script.Snapshot();
        run.Steps[0].State = StepState.Succeeded;
        run.Steps[0].Attempt = 1;
        run.Steps[1].State = StepState.Failed;
        run.Steps[1].Attempt = 2;
        run.Steps[1].Node = "node-1";
        run.Steps[1].GpuIndices.Add(3);
        run.Steps[1].Message = "exited with code 3";
        run.Events.AddRange(script.Events);
        server.Backend.GetRun = _ => run;

        var result = await CliHarness.RunAsync(server.Address, "run", "get", "r-5");
        var json = await CliHarness.RunAsync(server.Address, "run", "get", "r-5", "-o", "json");
        var yaml = await CliHarness.RunAsync(server.Address, "run", "get", "r-5", "-o", "yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdoutLines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^train\[0\]\s+failed\s+2\s+node-1\s+3\s+.*exited with code 3"));
        Assert.Contains(result.StdoutLines, l => l.Contains("RunFinished", StringComparison.Ordinal));
        Assert.Equal(run, JsonParser.Default.Parse<Run>(json.Stdout));
        Assert.Equal(run, Orchestrator.Contracts.Yaml.ProtoYaml.Parse<Run>(yaml.Stdout));
        Assert.Contains("created_at: '2025-05-01T12:00:00Z'", yaml.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelAndRetry_SendWhoAndWhy()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.CancelRun = r => new Run { Id = r.RunId, State = RunState.Running };
        server.Backend.RetryRun = r => new Run { Id = r.RunId, State = RunState.Pending };
        var environment = new Dictionary<string, string> { ["ORCH_SERVER"] = server.Address, ["USER"] = "bob" };

        var cancel = await CliHarness.RunWithEnvironmentAsync(environment, "run", "cancel", "r-1", "--reason", "wrong data");
        var retry = await CliHarness.RunWithEnvironmentAsync(environment, "run", "retry", "r-1");

        Assert.Equal("run r-1: cancel requested (now running)", cancel.Stdout.TrimEnd());
        var cancelRequest = Assert.Single(server.Backend.Received<CancelRunRequest>());
        Assert.Equal(("r-1", "wrong data", "bob"), (cancelRequest.RunId, cancelRequest.Reason, cancelRequest.RequestedBy));
        Assert.Equal("run r-1: retrying (now pending)", retry.Stdout.TrimEnd());
        Assert.Equal("bob", Assert.Single(server.Backend.Received<RetryRunRequest>()).RequestedBy);
    }

    [Fact]
    public async Task Logs_WritesStdoutAndStderrChunksRawToTheirOwnStreams()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        byte[] binary = [0xff, 0x00, 0x41, 0x0a];
        server.Backend.StreamLogs = async (_, stream, _) =>
        {
            await stream.WriteAsync(Chunk(LogStream.Stdout, "epoch 1 loss 0.69\n"u8.ToArray()));
            await stream.WriteAsync(Chunk(LogStream.Stderr, "warning: slow\n"u8.ToArray()));
            await stream.WriteAsync(Chunk(LogStream.Stdout, binary));
        };

        var result = await CliHarness.RunAsync(server.Address, "run", "logs", "r-1", "train[1]", "--attempt", "2", "-f");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([.. "epoch 1 loss 0.69\n"u8.ToArray(), .. binary], result.StdoutBytes);
        Assert.Equal("warning: slow\n"u8.ToArray(), result.StderrBytes);
        var request = Assert.Single(server.Backend.Received<StreamLogsRequest>());
        Assert.Equal(("r-1", "train[1]", 2, true), (request.RunId, request.StepKey, request.Attempt, request.Follow));
    }

    private static LogChunk Chunk(LogStream stream, byte[] data) => new() { Stream = stream, Data = ByteString.CopyFrom(data) };

    private static Run ListedRun(string id, RunState state, DateTimeOffset created, DateTimeOffset? finished) => new()
    {
        Id = id,
        Pipeline = "churn",
        PipelineVersion = 2,
        State = state,
        CreatedAt = Timestamp.FromDateTimeOffset(created),
        StartedAt = Timestamp.FromDateTimeOffset(created),
        FinishedAt = finished is null ? null : Timestamp.FromDateTimeOffset(finished.Value),
        Labels = { ["team"] = "ml" },
        StepCounts = { ["succeeded"] = 1, ["STEP_STATE_CACHED"] = 1, ["running"] = 1, ["waiting"] = 2 },
    };
}
