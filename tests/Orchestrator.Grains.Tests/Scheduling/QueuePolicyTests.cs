using Microsoft.Extensions.Configuration;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Hosting;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies the live queue policy: chosen by name in the configuration (<c>default</c> unless set), refused with
/// its field path when unknown, and switched by a configuration update without a restart, keeping the queue and what
/// runs. Each test has its own cluster, since the scheduling configuration is cluster-wide.</summary>
public sealed class QueuePolicyTests
{
    [Fact]
    public void UnknownPolicy_IsRefusedAtItsPath_InTheServerConfigurationAndTheRpc()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestrator:Scheduling:Tuning:Policy"] = "srtf",
        }).Build();
        var options = configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>()!;

        var result = new SchedulingOptionsValidator().Validate(null, options);
        var rpc = SchedulingConfigValidator.Validate(
            SchedulingConfig.Default with { Tuning = SchedulingTuning.Default with { Policy = "Fifo" } }, ConfigFieldStyle.Proto);

        Assert.Equal("Orchestrator:Scheduling:Tuning:Policy: 'srtf' is not a queue policy; use default or fifo", Assert.Single(result.Failures!));
        Assert.Equal("tuning.policy", Assert.Single(rpc).Field);
        Assert.Equal("default", new SchedulingOptions().ToConfig().Tuning.Policy);
    }

    [Fact]
    public async Task ConfigUpdate_SwitchesThePolicyWithoutARestart_KeepingTheQueueAndWhatRuns()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        await using var s = new Scenario(cluster);
        var scheduler = cluster.Client.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool);
        Assert.Equal("default", (await scheduler.GetStatusAsync()).Policy);
        var agent = await s.ConnectAsync("a", gpus: 4);
        await s.CreatePipelineAsync(Specs.Pipeline("two", Specs.Step("first", s.Id).WithGpus(4, s.GpuModel),
            Specs.Step("second", s.Id).WithGpus(4, s.GpuModel)));
        var run = (await s.SubmitAsync("two")).Definition.Id;
        var placed = await agent.WaitForAssignmentAsync(a => a.Step.RunId == run, "one of the two steps");
        await agent.StartAsync(placed);

        var config = cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key);
        await config.UpdateAsync(SchedulingConfig.Default with { Tuning = SchedulingTuning.Default with { Policy = "fifo" } });

        var status = await scheduler.GetStatusAsync();
        Assert.Equal(("fifo", 1), (status.Policy, status.Queued));
        var usage = await scheduler.GetUsageAsync();
        Assert.Equal((4, 0), (usage.TotalGpus, usage.FreeGpus));
        await agent.FinishAsync(placed, AttemptOutcome.Succeeded);
        var other = await agent.WaitForAssignmentAsync(a => a.Step.RunId == run && a.Step != placed.Step, "the other step");
        await agent.SucceedAsync(other);
        await s.WaitForStateAsync(run, RunState.Succeeded);
        await config.UpdateAsync(SchedulingConfig.Default);
        Assert.Equal("default", (await scheduler.GetStatusAsync()).Policy);
    }
}
