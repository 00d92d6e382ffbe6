using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies that the scheduler learns step durations in the live system: the release of a succeeded attempt
/// reaches the core as completed (so backfill can estimate alike steps), and a failed attempt's does not.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DurationHistoryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task SucceededStep_TeachesTheSchedulerItsRunTime_AndAFailedOneDoesNot()
    {
        await using var s = new Scenario(fixture.Cluster);
        var agent = await s.ConnectAsync("a", gpus: 1);
        var pipeline = $"timed-{s.Id}";
        await s.CreatePipelineAsync(Specs.Pipeline(pipeline, Specs.Step("train", s.Id).WithGpus(1, s.GpuModel)));
        var scheduler = s.Grains.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool);
        var key = $"{pipeline}/train";
        Assert.Null(await scheduler.GetEstimatedDurationAsync(key));

        var first = (await s.SubmitAsync(pipeline, cacheDisabled: true)).Definition.Id;
        var succeeding = await agent.WaitForAssignmentAsync(first, "train");
        await agent.StartAsync(succeeding);
        await s.AdvanceAsync(TimeSpan.FromSeconds(90));
        await agent.FinishAsync(succeeding, AttemptOutcome.Succeeded);
        await s.WaitForStateAsync(first, RunState.Succeeded);
        var learned = await Eventually.MatchAsync(() => scheduler.GetEstimatedDurationAsync(key), d => d is not null, $"an estimate for {key}");

        var second = (await s.SubmitAsync(pipeline, cacheDisabled: true)).Definition.Id;
        var failing = await agent.WaitForAssignmentAsync(second, "train");
        await agent.StartAsync(failing);
        await s.AdvanceAsync(TimeSpan.FromSeconds(10));
        await agent.FinishAsync(failing, AttemptOutcome.Failed, 1, "boom");
        await s.WaitForStateAsync(second, RunState.Failed);
        await Eventually.MatchAsync(() => scheduler.GetUsageAsync(), u => u.Tenants.All(t => t.Tenant != s.Tenant || t.Gpus == 0),
            "the failed attempt's GPU released in the scheduler");

        Assert.Equal(TimeSpan.FromSeconds(90), learned);
        Assert.Equal(TimeSpan.FromSeconds(90), await scheduler.GetEstimatedDurationAsync(key));
    }
}
