using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Runs;

/// <summary>Verifies cancelling a run: the running step's agent is told to stop it (with the configured grace),
/// waiting and queued steps are cancelled at once and leave the scheduler's queue, and the exit handler still runs,
/// seeing the run as cancelled.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CancelTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Cancel_StopsTheRunningStep_CancelsQueuedAndWaitingSteps_AndStillRunsTheExitHandler()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await s.CreatePipelineAsync(new PipelineSpec
        {
            Name = "cancellable",
            Steps =
            [
                Specs.Step("long", s.Id),
                Specs.Step("after", s.Id).RunsAfter("long"),
                Specs.Step("queued", s.Id).WithGpus(1, $"absent-{s.Id}"),
            ],
            ExitHandler = new StepSpec { Name = "cleanup", Command = ["python", "cleanup.py", "--tag", s.Id, "--status", "{{run.status}}"] },
        });
        var runId = (await s.SubmitAsync("cancellable")).Definition.Id;
        var run = s.Run(runId);
        var scheduler = s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool);
        var running = await agent.WaitForAssignmentAsync(runId, "long");
        await agent.StartAsync(running);
        await s.WaitForStepAsync(runId, "queued", StepState.Ready);
        var queuedBefore = (await scheduler.GetStatusAsync()).Queued;

        var cancelling = await run.CancelAsync("alice", "no longer needed");

        Assert.Equal(RunState.Running, cancelling.State);
        Assert.Equal("cancelled by alice: no longer needed", cancelling.Message);
        Assert.Equal(StepState.Running, State(cancelling, "long"));
        Assert.Equal(StepState.Cancelled, State(cancelling, "after"));
        Assert.Equal(StepState.Cancelled, State(cancelling, "queued"));
        Assert.Equal(StepState.Waiting, State(cancelling, "cleanup"));
        Assert.Equal(queuedBefore - 1, (await scheduler.GetStatusAsync()).Queued);
        var order = await agent.WaitForCancelAsync(running.Step);
        Assert.Equal(OrchestratorCluster.CancelGrace, order.Grace);
        Assert.Contains("no longer needed", order.Reason);
        Assert.Equal(cancelling.State, (await run.CancelAsync("alice", "again")).State);

        await agent.FinishAsync(running, AttemptOutcome.Cancelled, 143, "terminated");
        var cleanup = await agent.WaitForAssignmentAsync(runId, "cleanup");
        Assert.Equal(["python", "cleanup.py", "--tag", s.Id, "--status", "Cancelled"], cleanup.Resolved.Command);
        await agent.SucceedAsync(cleanup);
        var done = await s.WaitForStateAsync(runId, RunState.Cancelled);

        Assert.Equal(StepState.Cancelled, State(done, "long"));
        Assert.Equal(StepState.Succeeded, State(done, "cleanup"));
        Assert.Equal("cancelled by alice: no longer needed", done.Message);
        Assert.Equal(["long", "cleanup"], agent.Assignments.Where(a => a.Step.RunId == runId).Select(a => a.Step.StepKey));
        Assert.Empty((await agent.Grain.GetAsync()).Allocations);
        var error = await Assert.ThrowsAsync<OrchestratorException>(() => run.CancelAsync("alice", "once more"));
        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
    }

    [Fact]
    public async Task Cancel_OfAPlacedStep_TellsTheAgentToStopIt_AndFreesItsGpus()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Specs.Pipeline("gpu", Specs.Step("train", s.Id).WithGpus(1, s.GpuModel)));
        var runId = (await s.SubmitAsync("gpu")).Definition.Id;
        var placed = await agent.WaitForAssignmentAsync(runId, "train");
        Assert.Single((await agent.Grain.GetAsync()).Allocations);

        var cancelled = await s.Run(runId).CancelAsync("alice", "");

        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.Equal("cancelled by alice", cancelled.Message);
        Assert.Equal(StepState.Cancelled, cancelled.Steps[0].State);
        Assert.Empty((await agent.Grain.GetAsync()).Allocations);
        await agent.WaitForCancelAsync(placed.Step);
        // The agent's late word about the attempt changes nothing.
        await agent.StartAsync(placed);
        var after = await s.Run(runId).GetAsync(includeEvents: false);
        Assert.Equal((RunState.Cancelled, cancelled.Revision), (after.State, after.Revision));
    }

    private static StepState State(RunSnapshot run, string key) => run.Steps.Single(s => s.Key == key).State;
}
