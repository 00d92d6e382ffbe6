using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Nodes;

/// <summary>Verifies drain: a draining node takes no new steps, lets its running step finish, shows draining then
/// drained while staying registered, the pool's scheduler sees it unschedulable, and uncordon returns it to placement.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Drain_LetsTheRunningStepFinish_TakesNoNewSteps_ThenShowsDrained_AndUncordonUndoesIt()
    {
        await using var s = fixture.NewScenario();
        var a = await s.ConnectAsync("a", gpus: 2);
        await s.CreatePipelineAsync(Specs.Pipeline("one", Specs.Step("train", s.Id).WithGpus(1, s.GpuModel)));
        var first = (await s.SubmitAsync("one", cacheDisabled: true)).Definition.Id;
        var running = await a.WaitForAssignmentAsync(first, "train");
        await a.StartAsync(running);

        var draining = await a.Grain.DrainAsync();

        Assert.Equal(NodeDrain.Draining, draining.Drain);
        Assert.True(draining.Cordoned);
        var pool = s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool);
        var second = (await s.SubmitAsync("one", cacheDisabled: true)).Definition.Id;
        await s.WaitForStepAsync(second, "train", StepState.Ready);
        // A pass has run after the drain once the scheduler answers; the node's free GPU must not be used.
        await pool.GetStatusAsync();
        Assert.Single(a.Assignments);

        await a.FinishAsync(running, AttemptOutcome.Succeeded);
        await s.WaitForStateAsync(first, RunState.Succeeded);
        var drained = await Eventually.MatchAsync(a.Grain.GetAsync, v => v.Drain == NodeDrain.Drained, "node a drained");

        Assert.Empty(drained.Allocations);
        Assert.Contains(a.Node, await pool.ListNodesAsync());
        Assert.Equal(StepState.Ready, (await s.Run(second).GetAsync(includeEvents: false)).Steps.Single().State);
        Assert.Single(a.Assignments);

        var uncordoned = await a.Grain.SetCordonedAsync(false);

        Assert.Equal(NodeDrain.None, uncordoned.Drain);
        Assert.False(uncordoned.Cordoned);
        var next = await a.WaitForAssignmentAsync(second, "train");
        await a.SucceedAsync(next);
        await s.WaitForStateAsync(second, RunState.Succeeded);
    }

    [Fact]
    public async Task Drain_OfAnIdleNode_IsDrainedAtOnce_AndReportsItselfUnschedulableToItsPool()
    {
        await using var s = fixture.NewScenario();
        var a = await s.ConnectAsync("a", gpus: 1);
        var pool = s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool);

        var drained = await a.Grain.DrainAsync();

        Assert.Equal(NodeDrain.Drained, drained.Drain);
        // What the node reports to its pool is what the scheduler's core takes as the node's spec.
        Assert.False((await a.Grain.GetPoolReportAsync()).Schedulable);
        Assert.Contains(a.Node, await pool.ListNodesAsync());
        Assert.Equal(NodeDrain.Drained, (await a.Grain.GetAsync()).Drain);

        var uncordoned = await a.Grain.SetCordonedAsync(false);

        Assert.Equal(NodeDrain.None, uncordoned.Drain);
        Assert.True((await a.Grain.GetPoolReportAsync()).Schedulable);
    }

    [Fact]
    public async Task Drain_OfANodeThatNeverRegistered_IsNotFound()
    {
        await using var s = fixture.NewScenario();

        var error = await Assert.ThrowsAsync<OrchestratorException>(() => s.Grains.GetGrain<IGpuNodeGrain>(s.NodeName("typo")).DrainAsync());

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains(s.NodeName("typo"), error.Message);
    }
}
