using Orchestrator.Core.Runs;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Runs;

/// <summary>Verifies the step cache across runs: an identical run reuses every output without a single assignment,
/// and a run with the cache disabled runs its steps again.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StepCacheTests(ClusterFixture fixture)
{
    [Fact]
    public async Task SecondIdenticalRun_IsCachedWithoutAnyAssignment_AndDisableCacheRunsItAgain()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Specs.Pipeline("cached",
            Specs.Step("prepare", s.Id, "dataset"),
            Specs.Step("train", s.Id, "model").WithGpus(1, s.GpuModel).WithInput("data", "{{steps.prepare.outputs.dataset}}")));
        var dataset = Artifacts.Text("dataset", "rows");
        var model = Artifacts.Text("model", "weights");

        var firstId = (await s.SubmitAsync("cached")).Definition.Id;
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(firstId, "prepare"), dataset);
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(firstId, "train"), model);
        await s.WaitForStateAsync(firstId, RunState.Succeeded);
        var assignmentsBefore = agent.Assignments.Count;

        var second = await s.SubmitAsync("cached");

        Assert.Equal(RunState.Succeeded, second.State);
        Assert.All(second.Steps, step => Assert.Equal(StepState.Cached, step.State));
        Assert.Equal([dataset], second.Steps.Single(x => x.Key == "prepare").Outputs);
        Assert.Equal([model], second.Steps.Single(x => x.Key == "train").Outputs);
        var events = (await s.Run(second.Definition.Id).GetAsync(includeEvents: true)).Events;
        Assert.DoesNotContain(events, e => e.Type is RunEventType.StepReady or RunEventType.StepPlaced);
        Assert.Equal(2, events.Count(e => e.Type == RunEventType.StepCached));
        Assert.Equal(assignmentsBefore, agent.Assignments.Count);

        var thirdId = (await s.SubmitAsync("cached", cacheDisabled: true)).Definition.Id;
        var rerun = await agent.WaitForAssignmentAsync(thirdId, "prepare");
        await agent.SucceedAsync(rerun, dataset);
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(thirdId, "train"), model);
        var third = await s.WaitForStateAsync(thirdId, RunState.Succeeded);
        Assert.All(third.Steps, step => Assert.Equal(StepState.Succeeded, step.State));
        Assert.Equal(assignmentsBefore + 2, agent.Assignments.Count);
    }
}
