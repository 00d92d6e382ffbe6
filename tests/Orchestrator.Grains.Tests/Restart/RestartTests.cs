using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;
using Orchestrator.Storage;

namespace Orchestrator.Grains.Tests.Restart;

/// <summary>Verifies a restart (a cluster of its own on a persistent data directory, stopped mid-run and started
/// again): the resumption service picks unfinished runs up by itself, a step that was placed is sent again to its
/// re-registered agent, a step that was running there is retried, the run completes, and earlier outputs stay.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AfterARestart_UnfinishedRunsResume_PlacedStepsAreSentAgain_RunningStepsAreRetried_AndOutputsStay()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var dataset = Artifacts.Text("dataset", "rows: 1000");
        string runId, queuedRunId;
        RunSnapshot before;
        DateTimeOffset stoppedAt;
        await using (var cluster = await OrchestratorCluster.StartAsync(_data.Path, Durability.Fsync))
        {
            var s = new Scenario(cluster, id);
            var agent = await s.ConnectAsync("node", gpus: 2);
            await s.CreatePipelineAsync(Specs.Pipeline("diamond",
                Specs.Step("prepare", s.Id, "dataset"),
                Specs.Step("left", s.Id, "l").WithGpus(1, s.GpuModel).WithInput("data", "{{steps.prepare.outputs.dataset}}"),
                Specs.Step("right", s.Id, "r").WithGpus(1, s.GpuModel).WithInput("data", "{{steps.prepare.outputs.dataset}}"),
                Specs.Step("final", s.Id).WithInput("l", "{{steps.left.outputs.l}}").WithInput("r", "{{steps.right.outputs.r}}")));
            await s.CreatePipelineAsync(Specs.Pipeline("waiting", Specs.Step("work", s.Id).WithGpus(1, $"other-{s.Id}")));
            runId = (await s.SubmitAsync("diamond")).Definition.Id;
            queuedRunId = (await s.SubmitAsync("waiting")).Definition.Id;
            await agent.SucceedAsync(await agent.WaitForAssignmentAsync(runId, "prepare"), dataset);
            await agent.WaitForAssignmentAsync(runId, "left");
            await agent.StartAsync(await agent.WaitForAssignmentAsync(runId, "right"));
            before = await s.WaitForStepAsync(runId, "right", StepState.Running);
            Assert.Equal(StepState.Placed, before.Steps.Single(x => x.Key == "left").State);

            // Stopped mid-run: the agent's connection goes down with the server, nothing is cleaned up.
            stoppedAt = cluster.Clock.GetUtcNow();
        }

        await using (var cluster = await OrchestratorCluster.StartAsync(_data.Path, Durability.Fsync, new ObservedClock(stoppedAt)))
        {
            await using var s = new Scenario(cluster, id);
            // Nothing refers to the queued run but the run index: only the resumption service can queue its step again.
            var scheduler = s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool);
            await Eventually.MatchAsync(() => scheduler.GetStatusAsync(), x => x.Queued == 1, "the queued run's step is queued again");
            Assert.Equal(StepState.Ready, (await s.Run(queuedRunId).GetAsync(false)).Steps[0].State);

            // The agent restarted too: it comes back running nothing.
            var agent = await s.ConnectAsync("node", gpus: 2);
            var left = await agent.WaitForAssignmentAsync(runId, "left", attempt: 1);
            Assert.Equal(dataset, Assert.Single(left.Resolved.Inputs).Artifact);
            var right = await agent.WaitForAssignmentAsync(runId, "right", attempt: 2);
            Assert.Equal(dataset, Assert.Single(right.Resolved.Inputs).Artifact);
            if (left.Gpus.SequenceEqual(right.Gpus)) Assert.Fail(await DescribeAsync(s, runId, agent, $"left#1 and right#2 were both given GPUs [{string.Join(",", left.Gpus)}]"));
            var l = Artifacts.Text("l", "left");
            var r = Artifacts.Text("r", "right");
            await agent.SucceedAsync(left, l);
            await agent.SucceedAsync(right, r);
            var final = await agent.WaitForAssignmentAsync(runId, "final");
            Assert.Equal([l, r], final.Resolved.Inputs.Select(i => i.Artifact));
            await agent.SucceedAsync(final);
            var done = await s.WaitForStateAsync(runId, RunState.Succeeded);

            var prepare = done.Steps.Single(x => x.Key == "prepare");
            var prepareBefore = before.Steps.Single(x => x.Key == "prepare");
            Assert.Equal([dataset], prepare.Outputs);
            Assert.Equal((prepareBefore.Attempt, prepareBefore.FinishedAt), (prepare.Attempt, prepare.FinishedAt));
            Assert.Equal(before.Events.Select(e => (e.Revision, e.Type, e.StepKey)), done.Events.Take(before.Events.Count).Select(e => (e.Revision, e.Type, e.StepKey)));
            Assert.Equal(1, done.Steps.Single(x => x.Key == "left").Attempt);
            var rightStep = done.Steps.Single(x => x.Key == "right");
            Assert.Equal(2, rightStep.Attempt);
            Assert.True(rightStep.Attempts[0].Infrastructure);
            Assert.DoesNotContain(agent.Assignments, x => x.Step.StepKey == "prepare");
            Assert.Empty((await agent.Grain.GetAsync()).Allocations);
            Assert.Equal(RunState.Succeeded, (await cluster.RunIndex.GetAsync(runId))!.State);
            Assert.Equal([queuedRunId], await cluster.RunIndex.ListActiveAsync());
        }
    }

    [Fact]
    public async Task AfterARestart_ABackoffResumesOnTheClock_AndANodeThatNeverReturnsIsLostAfterOneLease()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        string runId;
        DateTimeOffset retryAt, stoppedAt;
        await using (var cluster = await OrchestratorCluster.StartAsync(_data.Path, Durability.Fsync))
        {
            var s = new Scenario(cluster, id);
            var a = await s.ConnectAsync("a", gpus: 1);
            await s.ConnectAsync("b", gpus: 1);
            await s.CreatePipelineAsync(Specs.Pipeline("pair",
                Specs.Step("held", s.Id).WithGpus(1, s.GpuModel).WithRetry(limit: 0),
                Specs.Step("flaky", s.Id).WithRetry(limit: 1, backoff: "30s")));
            runId = (await s.SubmitAsync("pair")).Definition.Id;
            // First fit by name: both land on node a.
            await a.StartAsync(await a.WaitForAssignmentAsync(runId, "held"));
            await a.FailAsync(await a.WaitForAssignmentAsync(runId, "flaky"));
            var waiting = await s.WaitForStepAsync(runId, "flaky", StepState.Waiting);
            retryAt = waiting.Steps.Single(x => x.Key == "flaky").RetryAt!.Value;
            stoppedAt = cluster.Clock.GetUtcNow();
        }

        await using (var cluster = await OrchestratorCluster.StartAsync(_data.Path, Durability.Fsync, new ObservedClock(stoppedAt)))
        {
            await using var s = new Scenario(cluster, id);
            // Only node b's agent comes back.
            var b = await s.ConnectAsync("b", gpus: 1);
            var a = s.Grains.GetGrain<IGpuNodeGrain>(s.NodeName("a"));

            await s.AdvanceAsync(OrchestratorCluster.NodeLease + OrchestratorCluster.HeartbeatInterval);
            await Eventually.MatchAsync(() => a.GetAsync(), v => v.Status == NodeStatus.Lost, "node a is lost");
            var held = await b.WaitForAssignmentAsync(runId, "held", attempt: 2);
            Assert.DoesNotContain(b.Assignments, x => x.Step.StepKey == "flaky");
            Assert.Equal(StepState.Waiting, (await s.Run(runId).GetAsync(false)).Steps.Single(x => x.Key == "flaky").State);

            await s.AdvanceAsync(retryAt - cluster.Clock.GetUtcNow());
            var flaky = await b.WaitForAssignmentAsync(runId, "flaky", attempt: 2);
            await b.SucceedAsync(held);
            await b.SucceedAsync(flaky);
            var done = await s.WaitForStateAsync(runId, RunState.Succeeded);

            var heldStep = done.Steps.Single(x => x.Key == "held");
            Assert.True(heldStep.Attempts[0].Infrastructure);
            Assert.Equal(s.NodeName("a"), heldStep.Attempts[0].Node);
            Assert.Equal(s.NodeName("b"), heldStep.Node);
            var flakyStep = done.Steps.Single(x => x.Key == "flaky");
            Assert.Equal([false, false], flakyStep.Attempts.Select(x => x.Infrastructure));
            Assert.True(done.Events.Single(e => e.Type == RunEventType.StepReady && e.StepKey == "flaky" && e.Attempt == 2).Time >= retryAt);
        }
    }

    /// <summary>What a failure message needs to explain a double allocation: the run's events, the agent's assignments and the node's allocations.</summary>
    private static async Task<string> DescribeAsync(Scenario s, string runId, SimulatedAgent agent, string problem)
    {
        var run = await s.Run(runId).GetAsync(includeEvents: true);
        var node = await agent.Grain.GetAsync();
        return $"{problem}\nevents:\n  " +
            string.Join("\n  ", run.Events.Select(e => $"{e.Revision} {e.Type} {e.StepKey}#{e.Attempt} {e.Node} [{string.Join(",", e.Gpus ?? [])}] {e.Actor} {e.Message}")) +
            "\nassignments: " + string.Join("; ", agent.Assignments.Select(a => $"{a.Step} [{string.Join(",", a.Gpus)}]")) +
            "\nallocations: " + string.Join("; ", node.Allocations.Select(a => $"{a.Step} [{string.Join(",", a.Gpus)}]"));
    }
}
