using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies preemption end to end in the grains: the scheduler's order becomes a durable StepPreempted event
/// and a stop with the configured grace; when the agent reports the attempt ended, the step is queued again as its
/// next attempt without using a retry and keeping its place, and the waiting step runs on the freed GPUs. Each test
/// has its own cluster, since the scheduling configuration is cluster-wide.</summary>
public sealed class PreemptionTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(7);

    private static SchedulingConfig Config(params TenantSpec[] tenants) =>
        new([], tenants, [], SchedulingTuning.Default with { PreemptionGrace = Grace });

    /// <summary>A pipeline of one step using <paramref name="gpus"/> GPUs of the scenario's model, with no retries.</summary>
    private static PipelineSpec OneStep(Scenario s, string name, int gpus, string gpuModel) =>
        Specs.Pipeline(name, Specs.Step("work", s.Id).WithGpus(gpus, gpuModel).WithRetry(0));

    [Fact]
    public async Task PriorityPreemption_RequeuesTheVictimWithoutARetry_AndThePreemptorRunsOnItsGpus()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(Config());
        await using var s = new Scenario(cluster);
        var agent = await s.ConnectAsync("a", gpus: 4);
        await s.CreatePipelineAsync(OneStep(s, "low", 4, s.GpuModel));
        await s.CreatePipelineAsync(OneStep(s, "high", 4, s.GpuModel));
        var low = (await s.SubmitAsync("low")).Definition.Id;
        var victim = await agent.WaitForAssignmentAsync(low, "work");
        await agent.StartAsync(victim);

        var high = (await s.SubmitAsync("high", priority: 100)).Definition.Id;

        var cancel = await agent.WaitForCancelAsync(victim.Step);
        Assert.Equal(Grace, cancel.Grace);
        Assert.Contains("preempted (priority)", cancel.Reason, StringComparison.Ordinal);
        var preempting = await s.WaitForRunAsync(low, r => r.Events.Any(e => e.Type == RunEventType.StepPreempted), "StepPreempted recorded");
        Assert.Equal(StepState.Running, preempting.Steps.Single().State);
        Assert.DoesNotContain(agent.Assignments, a => a.Step.RunId == high);

        // The process traps SIGTERM and exits 143: a preemption, not a failure, though the step has no retries.
        await agent.FinishAsync(victim.Step, AttemptOutcome.Cancelled, 143, "terminated by SIGTERM");

        var requeued = await s.WaitForStepAsync(low, "work", StepState.Ready);
        var work = requeued.Steps.Single();
        Assert.Equal(2, work.Attempt);
        Assert.True(work.Attempts[0].Preempted);
        Assert.False(work.Attempts[0].Infrastructure);
        Assert.Null(work.RetryAt);
        var preemptor = await agent.WaitForAssignmentAsync(high, "work");
        Assert.Equal(victim.Gpus, preemptor.Gpus);
        await agent.SucceedAsync(preemptor);
        await s.WaitForStateAsync(high, RunState.Succeeded);
        var second = await agent.WaitForAssignmentAsync(low, "work", attempt: 2);
        await agent.SucceedAsync(second);
        var done = await s.WaitForStateAsync(low, RunState.Succeeded);
        Assert.Equal([true, false], done.Steps.Single().Attempts.Select(a => a.Preempted));
    }

    [Fact]
    public async Task QuotaOwner_ReclaimsBorrowedGpus_AndTheBorrowerRunsAgainAfterwards()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        await using var borrower = new Scenario(cluster);
        await using var owner = new Scenario(cluster);
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(Config(
            new TenantSpec(owner.Tenant, 1, new Dictionary<string, ResourceQuota> { [SchedulingConfig.DefaultPool] = new(4) })));
        var agent = await borrower.ConnectAsync("a", gpus: 4);
        var model = borrower.GpuModel;
        await borrower.CreatePipelineAsync(Specs.Pipeline("fill",
            Specs.Step("left", borrower.Id).WithGpus(2, model).WithRetry(0), Specs.Step("right", borrower.Id).WithGpus(2, model).WithRetry(0)));
        await owner.CreatePipelineAsync(OneStep(owner, "mine", 4, model));
        var fill = (await borrower.SubmitAsync("fill")).Definition.Id;
        var left = await agent.WaitForAssignmentAsync(fill, "left");
        var right = await agent.WaitForAssignmentAsync(fill, "right");
        await agent.StartAsync(left);
        await agent.StartAsync(right);
        var usage = await cluster.Client.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool).GetUsageAsync();
        Assert.Equal(4, usage.Tenants.Single(t => t.Tenant == borrower.Tenant).BorrowedGpus);

        var mine = (await owner.SubmitAsync("mine")).Definition.Id;

        foreach (var victim in new[] { left, right })
        {
            var cancel = await agent.WaitForCancelAsync(victim.Step);
            Assert.Contains("preempted (reclaim)", cancel.Reason, StringComparison.Ordinal);
            await agent.FinishAsync(victim.Step, AttemptOutcome.Cancelled, 143, "terminated by SIGTERM");
        }

        var reclaimed = await agent.WaitForAssignmentAsync(mine, "work");
        await borrower.WaitForRunAsync(fill, r => r.Steps.All(x => x.State == StepState.Ready && x.Attempt == 2), "both steps queued again");
        await agent.SucceedAsync(reclaimed);
        await owner.WaitForStateAsync(mine, RunState.Succeeded);
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(fill, "left", attempt: 2));
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(fill, "right", attempt: 2));
        var done = await borrower.WaitForStateAsync(fill, RunState.Succeeded);
        Assert.All(done.Steps, step => Assert.Equal([true, false], step.Attempts.Select(a => a.Preempted)));
    }

    [Fact]
    public async Task PreemptedStep_KeepsItsPlace_AheadOfAStepThatBecameReadyLater()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(Config());
        await using var s = new Scenario(cluster);
        var agent = await s.ConnectAsync("a", gpus: 4);
        await s.CreatePipelineAsync(OneStep(s, "early", 4, s.GpuModel));
        await s.CreatePipelineAsync(OneStep(s, "later", 4, s.GpuModel));
        await s.CreatePipelineAsync(OneStep(s, "urgent", 4, s.GpuModel));
        var early = (await s.SubmitAsync("early")).Definition.Id;
        var victim = await agent.WaitForAssignmentAsync(early, "work");
        await agent.StartAsync(victim);
        await s.AdvanceAsync(TimeSpan.FromSeconds(5));
        // Queued in the scheduler before the victim's next attempt, but ready later than the victim first was.
        var later = (await s.SubmitAsync("later")).Definition.Id;
        await s.WaitForStepAsync(later, "work", StepState.Ready);

        var urgent = (await s.SubmitAsync("urgent", priority: 100)).Definition.Id;
        await agent.WaitForCancelAsync(victim.Step);
        await agent.FinishAsync(victim.Step, AttemptOutcome.Cancelled, 143, "terminated by SIGTERM");
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(urgent, "work"));

        var next = await agent.WaitForAssignmentAsync(a => a.Step != victim.Step && (a.Step.RunId == early || a.Step.RunId == later), "the next 4-GPU step");
        Assert.Equal(new StepRef(early, "work", 2), next.Step);
        var snapshot = await s.Run(early).GetAsync(includeEvents: false);
        Assert.Equal(StepState.Placed, snapshot.Steps.Single().State);
        Assert.Equal(StepState.Ready, (await s.Run(later).GetAsync(includeEvents: false)).Steps.Single().State);
    }
}
