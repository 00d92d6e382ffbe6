using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Controlling runs on the real server: cancel stops the process group, retry from failure reruns only what
/// failed, a step past its timeout is killed, retries with backoff, idempotent submits, listing and watching.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class RunControlTests(EmbeddedServerFixture fixture)
{
    [Fact]
    public async Task Cancel_KillsTheRunningProcessGroup_SkipsTheRest_AndRunsTheExitHandler()
    {
        var dir = TempDir();
        await fixture.ApplyAsync("""
            name: cancel-me
            parameters: [{name: dir, type: string}]
            steps:
              - name: long
                command: [sh, -c, 'sleep 300 & echo $! > {{params.dir}}/child; echo $$ > {{params.dir}}/pid; wait']
              - name: after
                after: [long]
                command: [true]
            exit_handler:
              name: cleanup
              command: [sh, -c, 'echo {{run.status}} > {{params.dir}}/status']
            """);
        var run = await fixture.SubmitAsync("cancel-me", new Dictionary<string, string> { ["dir"] = dir });
        await fixture.WaitForStepAsync(run.Id, "long", StepState.Running);
        var pids = await Eventually.Until(() => Task.FromResult(ReadPids(dir)), TimeSpan.FromSeconds(30), "the step to write its pids");

        var cancelled = await fixture.Server.Runs.CancelRunAsync(new CancelRunRequest { RunId = run.Id, Reason = "wrong data", RequestedBy = "alice" });
        Assert.True(cancelled.State is RunState.Running or RunState.Cancelled);
        var final = await fixture.WaitAsync(run.Id);

        Assert.Equal(RunState.Cancelled, final.State);
        Assert.Equal(StepState.Cancelled, final.Steps.Single(s => s.Key == "long").State);
        Assert.Equal(StepState.Cancelled, final.Steps.Single(s => s.Key == "after").State);
        Assert.Equal(StepState.Succeeded, final.Steps.Single(s => s.Key == "cleanup").State);
        Assert.Equal("Cancelled", (await File.ReadAllTextAsync(Path.Combine(dir, "status"))).Trim());
        Assert.Contains(final.Events, e => e.Type == "CancelRequested" && e.Actor == "user:alice" && e.Message.Contains("wrong data", StringComparison.Ordinal));
        await Eventually.Until(() => pids.All(p => !Alive(p)), TimeSpan.FromSeconds(30), "the step and its child to be gone");
        await ServerProcess.ExpectStatus(StatusCode.FailedPrecondition,
            () => fixture.Server.Runs.CancelRunAsync(new CancelRunRequest { RunId = run.Id }).ResponseAsync, "already cancelled");
    }

    [Fact]
    public async Task RetryFromFailure_RerunsOnlyTheFailedStepAndItsDownstream_ReusingEarlierOutputs()
    {
        var dir = TempDir();
        await fixture.ApplyAsync("""
            name: flaky
            parameters: [{name: dir, type: string}]
            steps:
              - name: make
                command: [sh, -c, 'date +%s%N > {{outputs.stamp}}; echo made >> {{params.dir}}/make.count']
                outputs: [stamp]
              - name: check
                inputs: {stamp: '{{steps.make.outputs.stamp}}'}
                command: [sh, -c, 'test -f {{params.dir}}/ok && cp {{inputs.stamp}} {{outputs.copy}}']
                outputs: [copy]
              - name: report
                inputs: {copy: '{{steps.check.outputs.copy}}'}
                command: [cat, '{{inputs.copy}}']
            """);
        var failed = await fixture.SubmitAndWaitAsync("flaky", new Dictionary<string, string> { ["dir"] = dir });
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Equal(StepState.Failed, failed.Steps.Single(s => s.Key == "check").State);
        Assert.Equal(StepState.Skipped, failed.Steps.Single(s => s.Key == "report").State);
        Assert.Contains("check", failed.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(dir, "ok"), "");
        var retried = await fixture.Server.Runs.RetryRunAsync(new RetryRunRequest { RunId = failed.Id });
        Assert.Equal(RunState.Running, retried.State);
        var done = await fixture.WaitAsync(failed.Id, fromRevision: retried.Revision);

        Assert.Equal(RunState.Succeeded, done.State);
        var make = done.Steps.Single(s => s.Key == "make");
        Assert.Single(make.Attempts);
        Assert.Equal(failed.Steps.Single(s => s.Key == "make").Outputs, make.Outputs);
        Assert.Single((await File.ReadAllLinesAsync(Path.Combine(dir, "make.count"))));
        Assert.Equal([1, 2], done.Steps.Single(s => s.Key == "check").Attempts.Select(a => a.Number));
        Assert.Equal(make.Outputs.Single().Digest, done.Steps.Single(s => s.Key == "check").Outputs.Single().Digest);
        await ServerProcess.ExpectStatus(StatusCode.FailedPrecondition,
            () => fixture.Server.Runs.RetryRunAsync(new RetryRunRequest { RunId = failed.Id }).ResponseAsync, "only a failed or cancelled run");
    }

    [Fact]
    public async Task StepPastItsTimeout_IsKilled_AndFailsWithTheLimitInTheMessage()
    {
        var dir = TempDir();
        await fixture.ApplyAsync("""
            name: too-slow
            parameters: [{name: dir, type: string}]
            steps:
              - name: sleepy
                timeout: 1s
                command: [sh, -c, 'echo $$ > {{params.dir}}/pid; sleep 120']
            """);
        var run = await fixture.SubmitAndWaitAsync("too-slow", new Dictionary<string, string> { ["dir"] = dir });

        Assert.Equal(RunState.Failed, run.State);
        var step = run.Steps.Single();
        Assert.Equal(StepState.Failed, step.State);
        Assert.Contains("timed out after 1s", step.Message, StringComparison.Ordinal);
        Assert.False(Alive(int.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "pid")), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task FailingStep_IsRetriedWithBackoff_AndSucceedsOnItsLastAllowedAttempt()
    {
        var dir = TempDir();
        await fixture.ApplyAsync("""
            name: third-time-lucky
            parameters: [{name: dir, type: string}]
            steps:
              - name: try
                retry: {limit: 2, backoff: 200ms, factor: 2}
                command: [sh, -c, 'echo x >> {{params.dir}}/tries; test $(wc -l < {{params.dir}}/tries) -ge 3']
            """);
        var run = await fixture.SubmitAndWaitAsync("third-time-lucky", new Dictionary<string, string> { ["dir"] = dir });

        Assert.Equal(RunState.Succeeded, run.State);
        var attempts = run.Steps.Single().Attempts;
        Assert.Equal([StepState.Failed, StepState.Failed, StepState.Succeeded], attempts.Select(a => a.State));
        Assert.All(attempts.Take(2), a => Assert.False(a.Infrastructure));
        var failures = run.Events.Where(e => e.Type == "StepAttemptFailed").ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f => Assert.True(f.RetryAt.ToDateTimeOffset() > f.Time.ToDateTimeOffset()));
    }

    [Fact]
    public async Task SubmitWithTheSameRequestId_ReturnsTheSameRun_AndOtherParametersAreRefused()
    {
        await fixture.ApplyAsync("""
            name: idem
            parameters: [{name: n, type: int, default: 1}]
            steps:
              - {name: one, command: [echo, '{{params.n}}']}
            """);
        var requestId = "req-" + Guid.NewGuid().ToString("N");
        var first = await fixture.SubmitAsync("idem", new Dictionary<string, string> { ["n"] = "5" }, requestId);
        var again = await fixture.SubmitAsync("idem", new Dictionary<string, string> { ["n"] = "5" }, requestId);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(requestId, again.RequestId);
        await ServerProcess.ExpectStatus(StatusCode.AlreadyExists,
            () => fixture.SubmitAsync("idem", new Dictionary<string, string> { ["n"] = "6" }, requestId), requestId, "different");
        var runs = await fixture.Server.Runs.ListRunsAsync(new ListRunsRequest { Pipeline = "idem", PageSize = 1000 });
        Assert.Single(runs.Runs, r => r.RequestId == requestId);
    }

    [Fact]
    public async Task ListRuns_FiltersByPipelineStateAndLabels_AndPagesWithoutGapsOrRepeats()
    {
        await fixture.ApplyAsync("""
            name: listing
            steps:
              - {name: one, command: ['true']}
            """);
        var team = "t" + Guid.NewGuid().ToString("N")[..8];
        var submitted = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var request = new SubmitRunRequest { Pipeline = "listing" };
            request.Labels["team"] = team;
            request.Labels["parity"] = i % 2 == 0 ? "even" : "odd";
            submitted.Add((await fixture.Server.Runs.SubmitRunAsync(request)).Id);
        }

        foreach (var id in submitted) await fixture.WaitAsync(id);

        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await fixture.Server.Runs.ListRunsAsync(new ListRunsRequest { Pipeline = "listing", LabelSelector = $"team={team}", PageSize = 3, PageToken = token });
            Assert.True(page.Runs.Count <= 3);
            seen.AddRange(page.Runs.Select(r => r.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal(submitted.AsEnumerable().Reverse(), seen);
        var even = await fixture.Server.Runs.ListRunsAsync(new ListRunsRequest { LabelSelector = $"team={team},parity=even", States = { RunState.Succeeded } });
        Assert.Equal(4, even.Runs.Count);
        Assert.All(even.Runs, r => Assert.Equal(RunState.Succeeded, r.State));
        var none = await fixture.Server.Runs.ListRunsAsync(new ListRunsRequest { LabelSelector = $"team={team}", States = { RunState.Failed } });
        Assert.Empty(none.Runs);
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => fixture.Server.Runs.ListRunsAsync(new ListRunsRequest { PageToken = "not-a-token" }).ResponseAsync, "page_token");
    }

    [Fact]
    public async Task WatchRun_FromARevision_SendsExactlyTheLaterEvents_AndLogsFollowUntilTheStepEnds()
    {
        var dir = TempDir();
        await fixture.ApplyAsync("""
            name: watched
            parameters: [{name: dir, type: string}]
            steps:
              - name: talk
                command: [sh, -c, 'echo one; echo err >&2; while [ ! -f {{params.dir}}/go ]; do sleep 0.05; done; echo two']
            """);
        var run = await fixture.SubmitAsync("watched", new Dictionary<string, string> { ["dir"] = dir });
        await fixture.WaitForStepAsync(run.Id, "talk", StepState.Running);

        using var follow = fixture.Server.Runs.StreamLogs(new StreamLogsRequest { RunId = run.Id, StepKey = "talk", Follow = true });
        var chunks = new List<LogChunk>();
        var reading = Task.Run(async () =>
        {
            while (await follow.ResponseStream.MoveNext(CancellationToken.None)) chunks.Add(follow.ResponseStream.Current);
        });
        await Eventually.Until(() => chunks.Any(c => c.Data.ToStringUtf8().Contains("one", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the first line");
        await File.WriteAllTextAsync(Path.Combine(dir, "go"), "");
        await reading.WaitAsync(TimeSpan.FromSeconds(60));
        var stdout = string.Concat(chunks.Where(c => c.Stream == LogStream.Stdout).Select(c => c.Data.ToStringUtf8()));
        Assert.Equal("one\ntwo\n", stdout);
        Assert.Equal("err\n", string.Concat(chunks.Where(c => c.Stream == LogStream.Stderr).Select(c => c.Data.ToStringUtf8())));

        var final = await fixture.WaitAsync(run.Id);
        var from = final.Events[2].Revision;
        using var watch = fixture.Server.Runs.WatchRun(new WatchRunRequest { RunId = run.Id, FromRevision = from });
        var later = new List<long>();
        while (await watch.ResponseStream.MoveNext(CancellationToken.None)) later.Add(watch.ResponseStream.Current.Revision);
        Assert.Equal(final.Events.Where(e => e.Revision > from).Select(e => e.Revision), later);
    }

    internal static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "orch-e2e-work-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static int[]? ReadPids(string dir)
    {
        var files = new[] { Path.Combine(dir, "pid"), Path.Combine(dir, "child") };
        if (!files.All(File.Exists)) return null;
        var texts = files.Select(File.ReadAllText).ToArray();
        return texts.All(t => t.EndsWith('\n')) ? texts.Select(t => int.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : null;
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    internal static bool Alive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
