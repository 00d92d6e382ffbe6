using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Nodes;

/// <summary>Verifies the node lease: a node whose agent stops heartbeating is marked lost once the lease runs out,
/// its running step is retried on another node as an infrastructure attempt (the step's own retry budget untouched),
/// the run completes, and late word from the lost node changes nothing.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeLeaseTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ASilentNode_IsLostAfterItsLease_AndItsRunningStepIsRetriedElsewhereWithoutUsingItsRetries()
    {
        await using var s = fixture.NewScenario();
        var a = await s.ConnectAsync("a", gpus: 1);
        var b = await s.ConnectAsync("b", gpus: 1);
        // No retries allowed: a lost node must not count as one of the step's failures.
        await s.CreatePipelineAsync(Specs.Pipeline("one", Specs.Step("train", s.Id, "model").WithGpus(1, s.GpuModel).WithRetry(limit: 0)));
        var runId = (await s.SubmitAsync("one")).Definition.Id;
        var first = await a.WaitForAssignmentAsync(runId, "train");
        await a.StartAsync(first);

        await s.AdvanceAsync(OrchestratorCluster.NodeLease, silent: a);
        Assert.Equal(NodeStatus.Ready, (await a.Grain.GetAsync()).Status);
        Assert.Equal(StepState.Running, (await s.Run(runId).GetAsync(false)).Steps[0].State);
        await s.AdvanceAsync(OrchestratorCluster.HeartbeatInterval, silent: a);
        var lost = await Eventually.MatchAsync(() => a.Grain.GetAsync(), v => v.Status == NodeStatus.Lost, $"node {a.Node} is lost");

        Assert.Empty(lost.Allocations);
        Assert.Equal(NodeStatus.Ready, (await b.Grain.GetAsync()).Status);
        var second = await b.WaitForAssignmentAsync(runId, "train", attempt: 2);
        Assert.Equal([0], second.Gpus);
        var model = Artifacts.Text("model", "weights");
        await b.SucceedAsync(second, model);
        var done = await s.WaitForStateAsync(runId, RunState.Succeeded);

        var step = done.Steps[0];
        Assert.Equal([model], step.Outputs);
        Assert.Equal((2, b.Node), (step.Attempt, step.Node));
        Assert.Equal((StepState.Failed, true, a.Node), (step.Attempts[0].State, step.Attempts[0].Infrastructure, step.Attempts[0].Node));
        Assert.Contains("lost", step.Attempts[0].Message);
        Assert.Equal((StepState.Succeeded, false, b.Node), (step.Attempts[1].State, step.Attempts[1].Infrastructure, step.Attempts[1].Node));
        var failure = Assert.Single(done.Events, e => e.Type == RunEventType.StepAttemptFailed);
        Assert.True(failure.Infrastructure);
        Assert.DoesNotContain(a.Assignments, x => x.Step.Attempt == 2);

        // The lost node's agent must register again, and its late report of the old attempt is ignored.
        Assert.False(await a.HeartbeatAsync());
        await a.FinishAsync(first, AttemptOutcome.Succeeded, 0, null, Artifacts.Text("model", "stale"));
        var after = await s.Run(runId).GetAsync(includeEvents: false);
        Assert.Equal((RunState.Succeeded, done.Revision), (after.State, after.Revision));
        Assert.Equal([model], after.Steps[0].Outputs);
    }

    [Fact]
    public async Task ALostNodeThatRegistersAgain_IsToldToStopAttemptsItNoLongerHolds_AndTakesNewWork()
    {
        await using var s = fixture.NewScenario();
        var a = await s.ConnectAsync("a", gpus: 1);
        var b = await s.ConnectAsync("b", gpus: 1);
        await s.CreatePipelineAsync(Specs.Pipeline("one", Specs.Step("train", s.Id).WithGpus(1, s.GpuModel)));
        var firstRun = (await s.SubmitAsync("one", new Dictionary<string, string>(), cacheDisabled: true)).Definition.Id;
        var orphan = await a.WaitForAssignmentAsync(firstRun, "train");
        await a.StartAsync(orphan);
        await s.AdvanceAsync(OrchestratorCluster.NodeLease + OrchestratorCluster.HeartbeatInterval, silent: a);
        await Eventually.MatchAsync(() => a.Grain.GetAsync(), v => v.Status == NodeStatus.Lost, $"node {a.Node} is lost");
        await b.StartAsync(await b.WaitForAssignmentAsync(firstRun, "train", attempt: 2));

        // The agent was only cut off: it comes back still running the attempt that moved to node b.
        var registered = await a.RegisterAsync([orphan.Step]);

        Assert.Equal((OrchestratorCluster.HeartbeatInterval, OrchestratorCluster.NodeLease), (registered.HeartbeatInterval, registered.Lease));
        var stop = await a.WaitForCancelAsync(orphan.Step);
        Assert.Equal(TimeSpan.Zero, stop.Grace);
        var view = await a.Grain.GetAsync();
        Assert.Equal(NodeStatus.Ready, view.Status);
        Assert.Empty(view.Allocations);
        Assert.True(await a.HeartbeatAsync());
        var secondRun = (await s.SubmitAsync("one", new Dictionary<string, string>(), cacheDisabled: true)).Definition.Id;
        await a.SucceedAsync(await a.WaitForAssignmentAsync(secondRun, "train"));
        await s.WaitForStateAsync(secondRun, RunState.Succeeded);
    }
}
