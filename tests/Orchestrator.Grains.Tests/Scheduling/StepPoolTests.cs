using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies a step's <c>resources.pools</c> in the live system: the step is queued only in the pools it names
/// and lands only on their nodes, and a step naming a pool no node belongs to waits with an explanation. Each test has
/// its own cluster, since the scheduling configuration is cluster-wide.</summary>
public sealed class StepPoolTests
{
    private static readonly SchedulingConfig H200 = new(
        [new PoolSpec("h200", new Dictionary<string, string> { ["gpu"] = "h200" })], [], [], SchedulingTuning.Default);

    private static StepSpec InPools(StepSpec step, params string[] pools) => step with { Resources = step.Resources with { Pools = pools } };

    [Fact]
    public async Task StepAskingForPoolH200_LandsOnlyOnTheH200Node()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(H200);
        await using var s = new Scenario(cluster);
        // The default-pool node is bigger and would win any placement that ignored the step's pools.
        var plain = await SimulatedAgent.ConnectAsync(cluster.Client, s.NodeName("plain"), 8, s.GpuModel);
        var h200 = await SimulatedAgent.ConnectAsync(cluster.Client, s.NodeName("h200"), 2, s.GpuModel,
            labels: new Dictionary<string, string> { ["gpu"] = "h200" });
        await Eventually.MatchAsync(cluster.Client.GetGrain<ISchedulerGrain>("h200").GetUsageAsync, u => u.Nodes == 1, "node in pool h200");
        await Eventually.MatchAsync(cluster.Client.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool).GetUsageAsync,
            u => u.Nodes >= 1, "node in the default pool");
        await s.CreatePipelineAsync(Specs.Pipeline("pinned",
            InPools(Specs.Step("first", s.Id).WithGpus(1, s.GpuModel), "h200"),
            InPools(Specs.Step("second", s.Id).WithGpus(1, s.GpuModel), "h200"),
            InPools(Specs.Step("third", s.Id).WithGpus(1, s.GpuModel), "h200")));

        var run = await s.SubmitAsync("pinned");

        // Two fit on the h200 node; the third waits for it rather than taking the idle default-pool node.
        var first = await h200.WaitForAssignmentAsync(a => a.Step.StepKey == "first", "first");
        var second = await h200.WaitForAssignmentAsync(a => a.Step.StepKey == "second", "second");
        var waiting = await s.WaitForRunAsync(run.Definition.Id, r => r.Steps.Count(x => x.State == StepState.Placed) == 2, "two placed");
        Assert.Equal(StepState.Ready, waiting.Steps.Single(x => x.Key == "third").State);
        await h200.SucceedAsync(first);
        await h200.SucceedAsync(second);
        var third = await h200.WaitForAssignmentAsync(a => a.Step.StepKey == "third", "third");
        await h200.SucceedAsync(third);

        var done = await s.WaitForStateAsync(run.Definition.Id, RunState.Succeeded);
        Assert.All(done.Steps, step => Assert.Equal(h200.Node, step.Node));
        Assert.Empty(plain.Assignments);
        await plain.DisconnectAsync();
        await h200.DisconnectAsync();
    }

    [Fact]
    public async Task StepNamingAPoolWithNoNodes_Waits_AndTheExplanationSaysWhy()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(H200);
        await using var s = new Scenario(cluster);
        var plain = await s.ConnectAsync("plain", gpus: 8);
        await s.CreatePipelineAsync(Specs.Pipeline("lost",
            InPools(Specs.Step("train", s.Id).WithGpus(1, s.GpuModel), "h200"),
            InPools(Specs.Step("tune", s.Id).WithGpus(1, s.GpuModel), "a100")));

        var run = await s.SubmitAsync("lost");

        var step = new StepRef(run.Definition.Id, "train", 1);
        var inH200 = await Eventually.MatchAsync(() => cluster.Client.GetGrain<ISchedulerGrain>("h200").ExplainAsync([step.ToString()]),
            e => e[0].Reasons.All(r => r.Kind != PendingReasonKind.NotQueued), "train queued in pool h200");
        Assert.Contains("pool h200 has no nodes", inH200[0].Reasons[0].Message, StringComparison.Ordinal);
        var tune = new StepRef(run.Definition.Id, "tune", 1);
        var inA100 = await Eventually.MatchAsync(() => cluster.Client.GetGrain<ISchedulerGrain>("a100").ExplainAsync([tune.ToString()]),
            e => e[0].Reasons.All(r => r.Kind != PendingReasonKind.NotQueued), "tune queued in pool a100");
        Assert.Contains("pool a100 is not in the scheduling configuration", inA100[0].Reasons[0].Message, StringComparison.Ordinal);
        var snapshot = await s.Run(run.Definition.Id).GetAsync(includeEvents: false);
        Assert.All(snapshot.Steps, x => Assert.Equal(StepState.Ready, x.State));
        Assert.Empty(plain.Assignments);
    }
}
