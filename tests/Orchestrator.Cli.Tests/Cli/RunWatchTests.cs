using Google.Protobuf;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch run watch in line mode: every event printed once, exit code by the final state, resuming after a broken stream.</summary>
public sealed class RunWatchTests
{
    [Fact]
    public async Task Watch_PrintsEveryEventAfterTheSnapshot_AndExits0WhenTheRunSucceeds()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-1", RunState.Succeeded);
        server.Backend.GetRun = _ => script.Snapshot();
        server.Backend.WatchRun = script.Watch();

        var result = await CliHarness.RunAsync(server.Address, "run", "watch", "r-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, Assert.Single(server.Backend.Received<WatchRunRequest>()).FromRevision);
        Assert.True(Assert.Single(server.Backend.Received<GetRunRequest>()).OmitEvents);
        var lines = result.StdoutLines;
        Assert.Equal("run r-1 (churn@2): running, 0/2 steps done", lines[0]);
        Assert.Equal(EventTypes(script, fromRevision: 3), lines.Skip(1).SkipLast(1).Select(TypeOf));
        Assert.Contains(lines, l => l.Contains("StepStarted", StringComparison.Ordinal) && l.Contains("train[0]", StringComparison.Ordinal) && l.Contains("attempt 1 on node-1 gpus 0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("outputs loss=0.446365", StringComparison.Ordinal));
        Assert.StartsWith("run r-1 succeeded in ", lines[^1], StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Watch_RunFails_Exits1AndSaysWhy()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-2", RunState.Failed);
        server.Backend.GetRun = _ => script.Snapshot();
        server.Backend.WatchRun = script.Watch();

        var result = await CliHarness.RunAsync(server.Address, "run", "watch", "r-2");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(result.StdoutLines, l => l.Contains("StepFailed", StringComparison.Ordinal) && l.Contains("failed attempt 1 exit 3 - exited with code 3", StringComparison.Ordinal));
        Assert.Matches("^run r-2 failed in .*: step train\\[0\\] failed$", result.StdoutLines[^1]);
    }

    [Fact]
    public async Task Watch_RunAlreadyFinished_ExitsAtOnceWithoutStreaming()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-3", RunState.Cancelled) { SnapshotRevision = 8 };
        server.Backend.GetRun = _ => script.Snapshot();

        var result = await CliHarness.RunAsync(server.Address, "run", "watch", "r-3");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(server.Backend.Received<WatchRunRequest>());
        Assert.StartsWith("run r-3 cancelled", result.StdoutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_StreamBreaksOnce_ResumesFromTheLastRevisionSeen_AndPrintsEachEventOnce()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-4", RunState.Succeeded);
        server.Backend.GetRun = _ => script.Snapshot();
        server.Backend.WatchRun = script.Watch(breakAfterRevision: 4, StreamBreak.Status);

        var result = await CliHarness.RunAsync(server.Address, "run", "watch", "r-4");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([2L, 4L], server.Backend.Received<WatchRunRequest>().Select(r => r.FromRevision));
        Assert.Equal(EventTypes(script, fromRevision: 3), result.StdoutLines.Skip(1).SkipLast(1).Select(TypeOf));
        Assert.Contains("watch: stream broke (UNAVAILABLE: fake server dropped the stream); reconnecting from revision 4", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_ConnectionResetMidStream_ResumesAndMissesNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-5", RunState.Succeeded);
        server.Backend.GetRun = _ => script.Snapshot();
        server.Backend.WatchRun = script.Watch(breakAfterRevision: 5, StreamBreak.Abort);

        var result = await CliHarness.RunAsync(server.Address, "run", "watch", "r-5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var watches = server.Backend.Received<WatchRunRequest>();
        Assert.Equal(2, watches.Count);
        Assert.InRange(watches[1].FromRevision, 2, 5);
        Assert.Equal(EventTypes(script, fromRevision: 3), result.StdoutLines.Skip(1).SkipLast(1).Select(TypeOf));
        Assert.Contains($"reconnecting from revision {watches[1].FromRevision}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_StreamKeepsBreaking_GivesUpWithExit1AndSaysHowToFollowAgain()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-6", RunState.Succeeded);
        server.Backend.GetRun = _ => script.Snapshot();
        server.Backend.WatchRun = script.Watch(breakAfterRevision: 2, StreamBreak.Status, breakTimes: int.MaxValue);

        var result = await CliHarness.RunAsync(server.Address, "run", "watch", "r-6");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(CliHarness.FastReconnect.MaxAttempts + 1, server.Backend.Received<WatchRunRequest>().Count);
        Assert.EndsWith("error: the event stream of run r-6 broke 4 times in a row (last: UNAVAILABLE: fake server dropped the stream); follow it again with 'orch run watch r-6'",
            result.Stderr.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_JsonOutput_IsOneRunEventPerLine()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-7", RunState.Succeeded);
        server.Backend.GetRun = _ => script.Snapshot();
        server.Backend.WatchRun = script.Watch(breakAfterRevision: 4);

        var result = await CliHarness.RunAsync(server.Address, "run", "watch", "r-7", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var parsed = result.StdoutLines.Select(line => JsonParser.Default.Parse<RunEvent>(line)).ToList();
        Assert.Equal(script.Events.Skip(2), parsed);
    }

    [Fact]
    public async Task SubmitWithWatch_PrintsTheIdThenFollowsTheRun()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-8", RunState.Failed);
        server.Backend.SubmitRun = _ => script.Snapshot();
        server.Backend.GetRun = _ => script.Snapshot();
        server.Backend.WatchRun = script.Watch();

        var result = await CliHarness.RunAsync(server.Address, "run", "submit", "churn", "--watch");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("r-8", result.StdoutLines[0]);
        Assert.StartsWith("run r-8 (churn@2)", result.StdoutLines[1], StringComparison.Ordinal);
        Assert.StartsWith("run r-8 failed", result.StdoutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitWithWatch_YamlOutput_IsRefusedBeforeSubmitting()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();

        var result = await CliHarness.RunAsync(server.Address, "run", "submit", "churn", "--watch", "-o", "yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: -o yaml does not apply to 'run submit --watch'; use -o table or -o json", result.Stderr.TrimEnd());
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Watch_OnATerminal_DrawsTheLiveTable_AndEndsWithTheOutcome()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var script = new RunScript("r-9", RunState.Succeeded);
        server.Backend.GetRun = _ => script.Snapshot();
        server.Backend.WatchRun = script.Watch(breakAfterRevision: 4);

        var result = await CliHarness.RunAsync(new Dictionary<string, string> { ["ORCH_SERVER"] = server.Address }, interactive: true, "run", "watch", "r-9");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StdoutLines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^train\[0\]\s+succeeded\s+1\s+node-1\s+0\s+1s"));
        Assert.StartsWith("run r-9 succeeded in ", result.StdoutLines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("StepStarted", result.Stdout, StringComparison.Ordinal);
    }

    private static IEnumerable<string> EventTypes(RunScript script, long fromRevision) =>
        script.Events.Where(e => e.Revision >= fromRevision).Select(e => e.Type);

    // An event line is "HH:mm:ss  Type  ..."; the type is the second field.
    private static string TypeOf(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
}
