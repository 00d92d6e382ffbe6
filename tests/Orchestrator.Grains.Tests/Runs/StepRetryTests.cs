using Orchestrator.Core.Runs;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Runs;

/// <summary>Verifies retries of a failing step: each retry waits out its backoff on the clock (growing by the
/// factor), and after the limit the step and the run fail with a message that says so.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StepRetryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AFailingStep_IsRetriedAfterItsBackoff_AndFailsTheRunAfterTheLimit()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await s.CreatePipelineAsync(Specs.Pipeline("flaky", Specs.Step("work", s.Id).WithRetry(limit: 2, backoff: "10s", factor: 3)));
        var runId = (await s.SubmitAsync("flaky")).Definition.Id;
        var run = s.Run(runId);

        await agent.FailAsync(await agent.WaitForAssignmentAsync(runId, "work", attempt: 1));
        await ExpectRetryAfterAsync(s, runId, attempt: 1, TimeSpan.FromSeconds(10));
        await s.AdvanceAsync(TimeSpan.FromSeconds(9));
        await AssertStillWaitingAsync(run, attempt: 1);
        Assert.DoesNotContain(agent.Assignments, a => a.Step.Attempt == 2);
        await s.AdvanceAsync(TimeSpan.FromSeconds(1));

        await agent.FailAsync(await agent.WaitForAssignmentAsync(runId, "work", attempt: 2));
        await ExpectRetryAfterAsync(s, runId, attempt: 2, TimeSpan.FromSeconds(30));
        await s.AdvanceAsync(TimeSpan.FromSeconds(29));
        await AssertStillWaitingAsync(run, attempt: 2);
        await s.AdvanceAsync(TimeSpan.FromSeconds(1));

        await agent.FailAsync(await agent.WaitForAssignmentAsync(runId, "work", attempt: 3), "exited with code 1: out of memory");
        var failed = await s.WaitForStateAsync(runId, RunState.Failed);

        var step = Assert.Single(failed.Steps);
        Assert.Equal((StepState.Failed, 3), (step.State, step.Attempt));
        Assert.Equal([1, 2, 3], step.Attempts.Select(a => a.Number));
        Assert.All(step.Attempts, a => Assert.Equal((StepState.Failed, 1, false), (a.State, a.ExitCode, a.Infrastructure)));
        Assert.Contains("out of memory", step.Message);
        Assert.Contains("2 retries used", step.Message);
        Assert.Contains("step work failed", failed.Message);
        Assert.Equal(3, agent.Assignments.Count(a => a.Step.RunId == runId));
        Assert.Null(step.RetryAt);
    }

    [Fact]
    public async Task Cancel_DuringABackoff_CancelsTheStep_AndNoRetryFollows()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await s.CreatePipelineAsync(Specs.Pipeline("flaky", Specs.Step("work", s.Id).WithRetry(limit: 3, backoff: "10s")));
        var runId = (await s.SubmitAsync("flaky")).Definition.Id;
        await agent.FailAsync(await agent.WaitForAssignmentAsync(runId, "work"));
        await ExpectRetryAfterAsync(s, runId, attempt: 1, TimeSpan.FromSeconds(10));

        var cancelled = await s.Run(runId).CancelAsync("alice", "giving up");
        await s.AdvanceAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(RunState.Cancelled, cancelled.State);
        var after = await s.Run(runId).GetAsync(includeEvents: false);
        Assert.Equal((RunState.Cancelled, cancelled.Revision), (after.State, after.Revision));
        Assert.Equal((StepState.Cancelled, 1), (after.Steps[0].State, after.Steps[0].Attempt));
        Assert.Null(after.Steps[0].RetryAt);
        Assert.Single(agent.Assignments, x => x.Step.RunId == runId);
    }

    /// <summary>The retry timer has not fired: the step still waits after attempt <paramref name="attempt"/>.</summary>
    private static async Task AssertStillWaitingAsync(IRunGrain run, int attempt)
    {
        var step = (await run.GetAsync(includeEvents: false)).Steps[0];
        Assert.Equal((StepState.Waiting, attempt), (step.State, step.Attempt));
    }

    /// <summary>The step waits for attempt <paramref name="attempt"/> + 1, due <paramref name="backoff"/> after the failure.</summary>
    private static async Task ExpectRetryAfterAsync(Scenario s, string runId, int attempt, TimeSpan backoff)
    {
        var run = await s.WaitForRunAsync(runId, r => r.Steps[0].Attempts.Count == attempt && r.Steps[0].Attempts[^1].State == StepState.Failed,
            $"attempt {attempt} failed");
        var step = run.Steps[0];
        var failure = run.Events.Last(e => e.Type == RunEventType.StepAttemptFailed);
        Assert.Equal((StepState.Waiting, attempt, attempt), (step.State, step.Attempt, failure.Attempt));
        Assert.False(failure.Infrastructure);
        Assert.Equal(failure.Time + backoff, failure.RetryAt);
        Assert.Equal(failure.RetryAt, step.RetryAt);
        Assert.Equal(RunState.Running, run.State);
    }
}
