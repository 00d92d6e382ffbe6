using Orchestrator.Core.Runs;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Runs;

/// <summary>Verifies retrying a failed run: only the failed step and what is downstream of it run again; steps that
/// succeeded keep their outputs and are not sent to an agent a second time.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RunRetryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Retry_OfAFailedRun_RerunsOnlyTheFailedStepAndItsDownstream()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 0);
        await s.CreatePipelineAsync(Specs.Pipeline("chain",
            Specs.Step("a", s.Id, "out"),
            Specs.Step("b", s.Id, "out").WithInput("in", "{{steps.a.outputs.out}}"),
            Specs.Step("c", s.Id).WithInput("in", "{{steps.b.outputs.out}}"),
            Specs.Step("d", s.Id, "out")));
        var runId = (await s.SubmitAsync("chain")).Definition.Id;
        var aOut = Artifacts.Text("out", "a");
        var dOut = Artifacts.Text("out", "d");
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(runId, "a"), aOut);
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(runId, "d"), dOut);
        await agent.FailAsync(await agent.WaitForAssignmentAsync(runId, "b"));
        var failed = await s.WaitForStateAsync(runId, RunState.Failed);
        Assert.Equal(StepState.Failed, failed.Steps.Single(x => x.Key == "b").State);
        Assert.Equal(StepState.Skipped, failed.Steps.Single(x => x.Key == "c").State);

        var retried = await s.Run(runId).RetryAsync("alice");

        Assert.Equal(RunState.Running, retried.State);
        Assert.Equal(StepState.Succeeded, retried.Steps.Single(x => x.Key == "a").State);
        Assert.Equal(StepState.Succeeded, retried.Steps.Single(x => x.Key == "d").State);
        var b2 = await agent.WaitForAssignmentAsync(runId, "b", attempt: 2);
        Assert.Equal(aOut, Assert.Single(b2.Resolved.Inputs).Artifact);
        var bOut = Artifacts.Text("out", "b");
        await agent.SucceedAsync(b2, bOut);
        var c = await agent.WaitForAssignmentAsync(runId, "c", attempt: 1);
        Assert.Equal(bOut, Assert.Single(c.Resolved.Inputs).Artifact);
        await agent.SucceedAsync(c);
        var done = await s.WaitForStateAsync(runId, RunState.Succeeded);

        Assert.Equal(
            ["a#1", "b#1", "b#2", "c#1", "d#1"],
            agent.Assignments.Where(x => x.Step.RunId == runId).Select(x => $"{x.Step.StepKey}#{x.Step.Attempt}").Order(StringComparer.Ordinal));
        Assert.Equal([aOut], done.Steps.Single(x => x.Key == "a").Outputs);
        Assert.Equal([dOut], done.Steps.Single(x => x.Key == "d").Outputs);
        Assert.Equal(1, done.Steps.Single(x => x.Key == "a").Attempt);
        Assert.Single(done.Events, e => e.Type == RunEventType.RunRetried && e.Actor == "alice");
        Assert.Equal(2, done.Events.Count(e => e.Type == RunEventType.RunFinished));
        var again = await Assert.ThrowsAsync<OrchestratorException>(() => s.Run(runId).RetryAsync("alice"));
        Assert.Equal(ErrorKind.FailedPrecondition, again.Kind);
    }
}
