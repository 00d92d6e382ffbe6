using Orchestrator.Core.Runs;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Runs;

/// <summary>Verifies how watchers read a run's events: pages in revision order, a long-poll that a change releases
/// at once, one that its timeout releases empty when nothing changes, and no wait once the run is over.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RunEventsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task WaitForEvents_IsReleasedByTheNextChange_WithTheNewEvent()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await s.CreatePipelineAsync(Specs.Pipeline("one", Specs.Step("work", s.Id)));
        var runId = (await s.SubmitAsync("one")).Definition.Id;
        var run = s.Run(runId);
        var assignment = await agent.WaitForAssignmentAsync(runId, "work");
        // Placed and dispatched: nothing changes until the agent reports.
        var revision = (await s.WaitForStepAsync(runId, "work", StepState.Placed)).Revision;

        var wait = run.WaitForEventsAsync(revision, 100, TimeSpan.FromMinutes(5));
        await run.GetAsync(includeEvents: false);
        Assert.False(wait.IsCompleted, "the long-poll returned although nothing changed and its timeout has not passed");

        await agent.StartAsync(assignment);
        var page = await wait.Within("the long-poll to return after the step started");

        var started = Assert.Single(page.Events);
        Assert.Equal((RunEventType.StepStarted, "work", revision + 1), (started.Type, started.StepKey, started.Revision));
        Assert.Equal($"agent:{agent.Node}", started.Actor);
        Assert.Equal(revision + 1, page.Revision);
        Assert.False(page.Terminal);

        await agent.FinishAsync(assignment, AttemptOutcome.Succeeded);
        await s.WaitForStateAsync(runId, RunState.Succeeded);
    }

    [Fact]
    public async Task WaitForEvents_WhenNothingChanges_ReturnsEmptyAtItsTimeout()
    {
        await using var s = fixture.NewScenario();
        // No node has this model: the run sits queued and nothing changes it.
        await s.CreatePipelineAsync(Specs.Pipeline("stuck", Specs.Step("work", s.Id).WithGpus(1, "no-such-gpu")));
        var runId = (await s.SubmitAsync("stuck")).Definition.Id;
        var run = s.Run(runId);
        var revision = (await run.GetAsync(includeEvents: false)).Revision;

        // A timeout no other timer in the cluster uses, so its creation marks the moment the long-poll began waiting.
        var timeout = TimeSpan.FromSeconds(37);
        var clock = fixture.Cluster.Clock;
        var before = clock.TimersCreated(timeout);
        var wait = run.WaitForEventsAsync(revision, 100, timeout);
        await Eventually.TrueAsync(() => clock.TimersCreated(timeout) > before, "the long-poll starts its timeout");
        Assert.False(wait.IsCompleted, "the long-poll returned before its timeout");
        clock.Advance(timeout - TimeSpan.FromSeconds(1));
        await run.GetAsync(includeEvents: false);
        Assert.False(wait.IsCompleted, "the long-poll returned before its timeout");
        clock.Advance(TimeSpan.FromSeconds(1));
        var page = await wait.Within("the long-poll to time out");

        Assert.Empty(page.Events);
        Assert.Equal(revision, page.Revision);
        Assert.False(page.Terminal);
        Assert.Equal(revision, (await run.GetAsync(includeEvents: false)).Revision);
    }

    [Fact]
    public async Task WaitForEvents_PagesThroughEveryEventInRevisionOrder_AndDoesNotWaitOnceTheRunIsOver()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await s.CreatePipelineAsync(Specs.Pipeline("two", Specs.Step("first", s.Id, "out"), Specs.Step("second", s.Id).WithInput("in", "{{steps.first.outputs.out}}")));
        var runId = (await s.SubmitAsync("two")).Definition.Id;
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(runId, "first"), Artifacts.Text("out", "x"));
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(runId, "second"));
        var done = await s.WaitForStateAsync(runId, RunState.Succeeded);

        var read = new List<RunEvent>();
        EventPage page;
        do
        {
            page = await s.Run(runId).WaitForEventsAsync(read.Count, 3, TimeSpan.FromMinutes(5)).Within("a page of events");
            Assert.InRange(page.Events.Count, 1, 3);
            read.AddRange(page.Events);
        }
        while (!page.Terminal);

        Assert.Equal(done.Events.Select(e => (e.Revision, e.Type, e.StepKey)), read.Select(e => (e.Revision, e.Type, e.StepKey)));
        Assert.Equal(Enumerable.Range(1, read.Count).Select(i => (long)i), read.Select(e => e.Revision));
        Assert.Equal(done.Revision, page.Revision);
        var after = await s.Run(runId).WaitForEventsAsync(done.Revision, 10, TimeSpan.FromMinutes(5)).Within("a read past the end of a finished run");
        Assert.Empty(after.Events);
        Assert.True(after.Terminal);
    }
}
