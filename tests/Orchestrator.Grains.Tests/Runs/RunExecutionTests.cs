using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Runs;

/// <summary>Verifies a run driven end to end by a simulated agent: the agent receives each step with its command,
/// environment and inputs resolved and its GPUs assigned, outputs flow downstream, the run succeeds, and its events
/// are numbered in order.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RunExecutionTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ThreeStepDagWithAGpuStep_RunsToSucceeded_WithResolvedAssignmentsAndOutputsFlowingDownstream()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 4);
        var train = Specs.Step("train", s.Id, "model")
            .WithGpus(2, s.GpuModel)
            .WithInput("data", "{{steps.prepare.outputs.dataset}}");
        await s.CreatePipelineAsync(new PipelineSpec
        {
            Name = "train",
            Parameters =
            [
                new ParameterSpec { Name = "lr", Type = ParameterType.Float, Default = "0.01" },
                new ParameterSpec { Name = "epochs", Type = ParameterType.Int, Default = "3" },
            ],
            Steps =
            [
                Specs.Step("evaluate", s.Id, "score").WithInput("model", "{{steps.train.outputs.model}}").WithInput("note", "lr={{params.lr}}"),
                train with
                {
                    Command = [.. train.Command, "--epochs", "{{params.epochs}}"],
                    Env = new Dictionary<string, string> { ["LR"] = "{{params.lr}}", ["RUN"] = "{{run.id}}" },
                },
                Specs.Step("prepare", s.Id, "dataset"),
            ],
        });

        var submitted = await s.SubmitAsync("train", new Dictionary<string, string> { ["lr"] = "0.05" });
        var runId = submitted.Definition.Id;
        Assert.Equal(RunState.Pending, submitted.State);
        Assert.Equal(StepState.Ready, submitted.Steps.Single(x => x.Key == "prepare").State);
        Assert.Equal(new Dictionary<string, string> { ["lr"] = "0.05", ["epochs"] = "3" }, submitted.Parameters);

        var prepare = await agent.WaitForAssignmentAsync(runId, "prepare");
        Assert.Equal("train", prepare.Pipeline);
        Assert.Equal(["python", "prepare.py", "--tag", s.Id, "--dataset", "{{outputs.dataset}}"], prepare.Resolved.Command);
        Assert.Empty(prepare.Gpus);
        Assert.Empty(prepare.Resolved.Inputs);
        Assert.Equal(["dataset"], prepare.Resolved.Outputs);
        var dataset = Artifacts.Text("dataset", "rows: 1000");
        await agent.SucceedAsync(prepare, dataset);

        var fit = await agent.WaitForAssignmentAsync(runId, "train");
        Assert.Equal(["python", "train.py", "--tag", s.Id, "--model", "{{outputs.model}}", "--data", "{{inputs.data}}", "--epochs", "3"], fit.Resolved.Command);
        Assert.Equal(new Dictionary<string, string> { ["LR"] = "0.05", ["RUN"] = runId }, fit.Resolved.Env);
        var data = Assert.Single(fit.Resolved.Inputs);
        Assert.Equal(("data", dataset), (data.Name, data.Artifact));
        Assert.Equal([0, 1], fit.Gpus);
        Assert.Equal((2, s.GpuModel), (fit.Resolved.Resources.Gpus, fit.Resolved.Resources.GpuModel));
        var placed = (await s.Run(runId).GetAsync(includeEvents: false)).Steps.Single(x => x.Key == "train");
        Assert.Equal((StepState.Placed, agent.Node), (placed.State, placed.Node));
        Assert.Equal([0, 1], placed.Gpus);
        var allocation = Assert.Single((await agent.Grain.GetAsync()).Allocations);
        Assert.Equal(fit.Step, allocation.Step);
        Assert.Equal([0, 1], allocation.Gpus);
        var model = Artifacts.Text("model", "weights-v1");
        await agent.SucceedAsync(fit, model);

        var evaluate = await agent.WaitForAssignmentAsync(runId, "evaluate");
        Assert.Equal(["model", "note"], evaluate.Resolved.Inputs.Select(i => i.Name));
        Assert.Equal(model, evaluate.Resolved.Inputs[0].Artifact);
        Assert.Equal("lr=0.05", evaluate.Resolved.Inputs[1].Value);
        var score = Artifacts.Text("score", "0.93");
        await agent.SucceedAsync(evaluate, score);

        var done = await s.WaitForStateAsync(runId, RunState.Succeeded);
        Assert.Equal([dataset], done.Steps.Single(x => x.Key == "prepare").Outputs);
        Assert.Equal([model], done.Steps.Single(x => x.Key == "train").Outputs);
        Assert.Equal([score], done.Steps.Single(x => x.Key == "evaluate").Outputs);
        Assert.All(done.Steps, step => Assert.Equal(StepState.Succeeded, step.State));
        Assert.NotNull(done.StartedAt);
        Assert.NotNull(done.FinishedAt);
        Assert.Empty((await agent.Grain.GetAsync()).Allocations);
        Assert.Equal(3, agent.Assignments.Select(a => a.Step).Distinct().Count());

        var events = done.Events;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Revision));
        Assert.Equal(events.Count, done.Revision);
        Assert.Equal(RunEventType.RunSubmitted, events[0].Type);
        Assert.Equal((RunEventType.RunFinished, RunState.Succeeded), (events[^1].Type, events[^1].RunState));
        foreach (var key in new[] { "prepare", "train", "evaluate" })
        {
            Assert.Equal(
                [RunEventType.StepReady, RunEventType.StepPlaced, RunEventType.StepStarted, RunEventType.StepSucceeded],
                events.Where(e => e.StepKey == key).Select(e => e.Type));
        }

        Assert.True(LastOf(events, "prepare") < FirstOf(events, "train"), "train became ready before prepare succeeded");
        Assert.True(LastOf(events, "train") < FirstOf(events, "evaluate"), "evaluate became ready before train succeeded");
        var summary = await fixture.Cluster.RunIndex.GetAsync(runId);
        Assert.Equal((RunState.Succeeded, done.Revision), (summary!.State, summary.Revision));
    }

    private static long FirstOf(IReadOnlyList<RunEvent> events, string step) => events.First(e => e.StepKey == step).Revision;

    private static long LastOf(IReadOnlyList<RunEvent> events, string step) => events.Last(e => e.StepKey == step).Revision;
}
