using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies where steps go: a cordoned node gets no new step and gets them again once uncordoned, and a step
/// asking for a GPU model that no node has waits in the queue while other steps are placed around it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PlacementTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Cordon_StopsNewPlacementsOnTheNode_AndUncordonResumesThem()
    {
        await using var s = fixture.NewScenario();
        var a = await s.ConnectAsync("a", gpus: 1);
        var b = await s.ConnectAsync("b", gpus: 1);
        var cordoned = await a.Grain.SetCordonedAsync(true);
        Assert.True(cordoned.Cordoned);
        await s.CreatePipelineAsync(Specs.Pipeline("pair", Specs.Step("one", s.Id).WithGpus(1, s.GpuModel), Specs.Step("two", s.Id).WithGpus(1, s.GpuModel)));

        var runId = (await s.SubmitAsync("pair")).Definition.Id;

        // First fit prefers node a by name: landing on b shows the cordon was honoured.
        var first = await b.WaitForAssignmentAsync(x => x.Step.RunId == runId, "a step of the run");
        await b.StartAsync(first);
        await s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool).GetStatusAsync();
        var run = await s.Run(runId).GetAsync(includeEvents: false);
        var other = run.Steps.Single(x => x.Key != first.Step.StepKey);
        Assert.Equal(StepState.Ready, other.State);
        Assert.Empty(a.Assignments);
        Assert.Empty((await a.Grain.GetAsync()).Allocations);

        var uncordoned = await a.Grain.SetCordonedAsync(false);

        Assert.False(uncordoned.Cordoned);
        var second = await a.WaitForAssignmentAsync(runId, other.Key);
        await a.SucceedAsync(second);
        await b.FinishAsync(first, AttemptOutcome.Succeeded);
        var done = await s.WaitForStateAsync(runId, RunState.Succeeded);
        Assert.Equal(b.Node, done.Steps.Single(x => x.Key == first.Step.StepKey).Node);
        Assert.Equal(a.Node, done.Steps.Single(x => x.Key == other.Key).Node);
    }

    [Fact]
    public async Task WhenAGpuFrees_TheHigherPriorityStepGetsIt_ThenTheEarlierOfEqualPriority()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Specs.Pipeline("one", Specs.Step("train", s.Id).WithGpus(1, s.GpuModel)));
        var busy = (await s.SubmitAsync("one", cacheDisabled: true)).Definition.Id;
        var running = await agent.WaitForAssignmentAsync(busy, "train");
        await agent.StartAsync(running);
        var early = (await s.SubmitAsync("one", cacheDisabled: true, priority: 0)).Definition.Id;
        var late = (await s.SubmitAsync("one", cacheDisabled: true, priority: 0)).Definition.Id;
        var urgent = (await s.SubmitAsync("one", cacheDisabled: true, priority: 10)).Definition.Id;

        var order = new List<string>();
        await agent.FinishAsync(running, AttemptOutcome.Succeeded);
        for (var i = 0; i < 3; i++)
        {
            var next = await agent.WaitForAssignmentAsync(x => x.Step.RunId != busy && !order.Contains(x.Step.RunId), $"queued step {i + 1} of 3");
            order.Add(next.Step.RunId);
            await agent.SucceedAsync(next);
        }

        Assert.Equal([urgent, early, late], order);
    }

    [Fact]
    public async Task AllocationTheSchedulerWasNeverToldOf_IsLearntWithinOneReconcilePeriod_AndNotGivenAway()
    {
        await using var s = fixture.NewScenario();
        var node = await s.ConnectAsync("a", gpus: 2);
        var scheduler = s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool);
        var hidden = $"hidden-{s.Id}";
        // Held on the node behind the scheduler's back (as if the node's event about it had been lost).
        await node.Grain.AllocateAsync([new AllocationRequest(new StepRef(hidden, "x", 1), new Core.Pipelines.ResourceRequest(1, 1, 2, s.GpuModel), [0, 1],
            new AllocationJob(SchedulerGrain.DefaultPool, hidden, 0, s.GpuModel, DateTimeOffset.UtcNow, null, ""))]);
        Assert.DoesNotContain((await scheduler.GetUsageAsync()).Tenants, t => t.Tenant == hidden);

        await s.AdvanceAsync(SchedulerGrain.NodeReconcilePeriod);

        await Eventually.MatchAsync(scheduler.GetUsageAsync, u => u.Tenants.Any(t => t.Tenant == hidden && t.Gpus == 2), "the scheduler learns the hidden allocation");
        await s.CreatePipelineAsync(Specs.Pipeline("one", Specs.Step("train", s.Id).WithGpus(1, s.GpuModel)));
        var runId = (await s.SubmitAsync("one")).Definition.Id;
        await Eventually.MatchAsync(() => scheduler.ExplainAsync([$"{runId}/train#1"]), e => e[0].Reasons.Count > 0, "an explanation");
        Assert.Empty(node.Assignments);
        Assert.Equal(StepState.Ready, (await s.Run(runId).GetAsync(includeEvents: false)).Steps.Single().State);
        await node.Grain.ReleaseAsync([new StepRef(hidden, "x", 1)], stopProcess: false);
        await node.SucceedAsync(await node.WaitForAssignmentAsync(runId, "train"));
        await s.WaitForStateAsync(runId, RunState.Succeeded);
    }

    [Fact]
    public async Task Cordon_OfANodeThatNeverRegistered_IsNotFound_AndAddsNoNode()
    {
        await using var s = fixture.NewScenario();
        var typo = s.Grains.GetGrain<IGpuNodeGrain>(s.NodeName("typo"));
        var scheduler = s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool);

        var error = await Assert.ThrowsAsync<OrchestratorException>(() => typo.SetCordonedAsync(true));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains(s.NodeName("typo"), error.Message);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<OrchestratorException>(() => typo.GetAsync())).Kind);
        Assert.DoesNotContain(s.NodeName("typo"), await scheduler.ListNodesAsync());
    }

    [Fact]
    public async Task ANodeGrainReactivatedWhileTheSchedulerLives_GetsQueuedStepsWhenItsGpusFree()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Specs.Pipeline("one", Specs.Step("train", s.Id).WithGpus(1, s.GpuModel)));
        // A node that has seen some work: its capacity has changed many times.
        for (var i = 0; i < 6; i++)
        {
            var warmup = (await s.SubmitAsync("one", cacheDisabled: true)).Definition.Id;
            await agent.SucceedAsync(await agent.WaitForAssignmentAsync(warmup, "train"));
            await s.WaitForStateAsync(warmup, RunState.Succeeded);
        }

        var holding = (await s.SubmitAsync("one", cacheDisabled: true)).Definition.Id;
        var held = await agent.WaitForAssignmentAsync(holding, "train");
        await agent.StartAsync(held);
        var waiting = (await s.SubmitAsync("one", cacheDisabled: true)).Definition.Id;
        await s.WaitForStepAsync(waiting, "train", StepState.Ready);

        // The node grain goes away (its silo failed, or it moved) while the scheduler stays; its agent notices
        // at the next heartbeat and registers again, still running its step.
        await fixture.Cluster.DeactivateAsync(agent.Grain);
        Assert.False(await agent.HeartbeatAsync());
        await agent.RegisterAsync([held.Step]);
        await agent.FinishAsync(held, AttemptOutcome.Succeeded);

        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(waiting, "train"));
        await s.WaitForStateAsync(waiting, RunState.Succeeded);
    }

    [Fact]
    public async Task AStepNeedingAGpuModelNoNodeHas_StaysQueued_WhileOtherStepsArePlaced()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 2);
        var scheduler = s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool);
        await s.CreatePipelineAsync(Specs.Pipeline("exotic", Specs.Step("work", s.Id).WithGpus(1, $"exotic-{s.Id}")));
        await s.CreatePipelineAsync(Specs.Pipeline("plain", Specs.Step("work", s.Id).WithGpus(1, s.GpuModel)));
        var exoticId = (await s.SubmitAsync("exotic")).Definition.Id;
        var queued = (await scheduler.GetStatusAsync()).Queued;
        Assert.True(queued >= 1, "the exotic step was not queued");

        // A placement pass runs for the plain step with the exotic one in the queue.
        var plainId = (await s.SubmitAsync("plain")).Definition.Id;
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(plainId, "work"));
        await s.WaitForStateAsync(plainId, RunState.Succeeded);
        // The scheduler's periodic passes (every 5 s) leave it queued too.
        await s.AdvanceAsync(TimeSpan.FromSeconds(12));
        await scheduler.GetStatusAsync();

        var exotic = await s.Run(exoticId).GetAsync(includeEvents: true);
        Assert.Equal(RunState.Pending, exotic.State);
        Assert.Equal(StepState.Ready, exotic.Steps[0].State);
        Assert.DoesNotContain(exotic.Events, e => e.Type == RunEventType.StepPlaced);
        Assert.DoesNotContain(agent.Assignments, x => x.Step.RunId == exoticId);
        Assert.Equal(queued, (await scheduler.GetStatusAsync()).Queued);
        Assert.Empty((await agent.Grain.GetAsync()).Allocations);
    }
}
