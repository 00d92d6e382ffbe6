using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies whole-run admission in the grains: a run whose peak does not fit its tenant's unreserved quota
/// waits with no step queued and says why, starts when the run holding the reservation ends, survives a restart of the
/// scheduler, charges its later steps to its reservation (reclaiming from the tenant's borrowing stepwise steps), and a
/// run whose GPU steps use several pools is refused naming the field. Each test has its own cluster, since the
/// scheduling configuration is cluster-wide.</summary>
public sealed class AdmissionTests
{
    private static SchedulingConfig Config(Scenario s, int quota) =>
        new([], [new TenantSpec(s.Tenant, 1, new Dictionary<string, ResourceQuota> { [SchedulingConfig.DefaultPool] = new(quota) })], [],
            SchedulingTuning.Default with { PreemptionGrace = TimeSpan.FromSeconds(7) });

    /// <summary>Two parallel steps of 2 GPUs: a peak of 4.</summary>
    private static PipelineSpec Pair(Scenario s) => Specs.Pipeline("pair",
        Specs.Step("left", s.Id).WithGpus(2, s.GpuModel).WithRetry(0), Specs.Step("right", s.Id).WithGpus(2, s.GpuModel).WithRetry(0));

    private static async Task<OrchestratorCluster> StartAsync(TempDirectory data) => await OrchestratorCluster.StartAsync(data.Path);

    /// <summary>A quota of 4 and an 8-GPU node: a first whole-run run of <see cref="Pair"/> admitted with both steps
    /// assigned, and a second one that has asked for admission (and must wait).</summary>
    private static async Task<(SimulatedAgent Agent, string First, StepAssignment Left, StepAssignment Right, string Second)> FirstRunningSecondWaitingAsync(
        OrchestratorCluster cluster, Scenario s)
    {
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(Config(s, 4));
        var agent = await s.ConnectAsync("a", gpus: 8);
        await s.CreatePipelineAsync(Pair(s));
        var first = (await s.SubmitAsync("pair", admission: AdmissionMode.WholeRun)).Definition.Id;
        var left = await agent.WaitForAssignmentAsync(first, "left");
        var right = await agent.WaitForAssignmentAsync(first, "right");
        // The same steps again: with the cache on, the second run would reuse the first one's outputs.
        var second = (await s.SubmitAsync("pair", cacheDisabled: true, admission: AdmissionMode.WholeRun)).Definition.Id;
        await s.WaitForRunAsync(second, r => r.Events.Any(e => e.Type == RunEventType.RunAdmissionRequested), "admission requested");
        return (agent, first, left, right, second);
    }

    /// <summary>Finishes the first run's steps, then the second run's once they are assigned; the second run's end.</summary>
    private static async Task<RunSnapshot> FinishFirstThenSecondAsync(Scenario s, SimulatedAgent agent, string first, StepAssignment left,
        StepAssignment right, string second)
    {
        await agent.SucceedAsync(left);
        await agent.SucceedAsync(right);
        await s.WaitForStateAsync(first, RunState.Succeeded);
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(second, "left"));
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(second, "right"));
        return await s.WaitForStateAsync(second, RunState.Succeeded);
    }

    [Fact]
    public async Task SecondRun_WaitsForAdmissionWithNoStepPlaced_AndStartsWhenTheFirstEnds()
    {
        using var data = new TempDirectory();
        await using var cluster = await StartAsync(data);
        await using var s = new Scenario(cluster);
        var (agent, first, left, right, second) = await FirstRunningSecondWaitingAsync(cluster, s);

        var waiting = await s.WaitForRunAsync(second, r => r.Events.Any(e => e.Type == RunEventType.RunAdmissionRequested), "admission requested");
        Assert.DoesNotContain(waiting.Events, e => e.Type == RunEventType.RunAdmitted);
        Assert.All(waiting.Steps, step => Assert.Equal(StepState.Waiting, step.State));
        var scheduler = cluster.Client.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool);
        var why = await scheduler.ExplainAdmissionAsync(second);
        Assert.Equal(PendingReasonKind.Admission, why.Reasons[0].Kind);
        Assert.Equal($"run {second} waits for admission: tenant {s.Tenant} has 4 of 4 GPUs reserved in pool default and needs 4", why.Reasons[0].Message);
        Assert.Equal(0, (await scheduler.GetStatusAsync()).Queued);
        Assert.DoesNotContain(agent.Assignments, a => a.Step.RunId == second);

        var done = await FinishFirstThenSecondAsync(s, agent, first, left, right, second);
        Assert.Contains(done.Events, e => e.Type == RunEventType.RunAdmitted && e.Actor == "scheduler");
        Assert.DoesNotContain((await scheduler.GetUsageAsync()).Tenants, t => t.Tenant == s.Tenant && t.Gpus > 0);
    }

    [Fact]
    public async Task Reservation_WhoseRunIsGone_IsWithdrawnByTheSchedulersSweep_AndTheWaitingRunIsAdmitted()
    {
        using var data = new TempDirectory();
        await using var cluster = await StartAsync(data);
        await using var s = new Scenario(cluster);
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(Config(s, 4));
        var agent = await s.ConnectAsync("a", gpus: 8);
        await s.CreatePipelineAsync(Pair(s));
        var scheduler = cluster.Client.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool);
        // A reservation whose run's withdrawal never arrived (here: a run that does not exist) holds the whole quota.
        Assert.True(await scheduler.AdmitAsync($"ghost-{s.Id}", s.Tenant, 0, 4));
        var run = (await s.SubmitAsync("pair", admission: AdmissionMode.WholeRun)).Definition.Id;
        await s.WaitForRunAsync(run, r => r.Events.Any(e => e.Type == RunEventType.RunAdmissionRequested), "admission requested");
        Assert.Contains($"tenant {s.Tenant} has 4 of 4 GPUs reserved", (await scheduler.ExplainAdmissionAsync(run)).Reasons[0].Message, StringComparison.Ordinal);

        await s.AdvanceAsync(SchedulerGrain.AdmissionSweepPeriod);

        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(run, "left"));
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(run, "right"));
        await s.WaitForStateAsync(run, RunState.Succeeded);
        Assert.DoesNotContain((await scheduler.GetUsageAsync()).Tenants, t => t.Tenant == s.Tenant && t.ReservedGpus > 0);
    }

    [Fact]
    public async Task Admission_SurvivesASchedulerRestart_AndTheWaitingRunIsAdmittedAfterIt()
    {
        using var data = new TempDirectory();
        await using var cluster = await StartAsync(data);
        await using var s = new Scenario(cluster);
        var (agent, first, left, right, second) = await FirstRunningSecondWaitingAsync(cluster, s);

        var scheduler = cluster.Client.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool);
        await cluster.DeactivateAsync(scheduler);

        // A fresh activation still holds the first run's reservation and the second run's place in line.
        Assert.Contains("has 4 of 4 GPUs reserved", (await scheduler.ExplainAdmissionAsync(second)).Reasons[0].Message, StringComparison.Ordinal);
        await FinishFirstThenSecondAsync(s, agent, first, left, right, second);
    }

    [Fact]
    public async Task AdmittedRunsLaterStep_IsWithinItsReservation_AndReclaimsTheGpusAStepwiseRunOfTheTenantBorrows()
    {
        using var data = new TempDirectory();
        await using var cluster = await StartAsync(data);
        await using var s = new Scenario(cluster);
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(Config(s, 4));
        var agent = await s.ConnectAsync("a", gpus: 4);
        await s.CreatePipelineAsync(Specs.Pipeline("staged",
            Specs.Step("prep", s.Id).WithGpus(1, s.GpuModel).WithRetry(0),
            Specs.Step("train", s.Id).WithGpus(4, s.GpuModel).WithRetry(0).RunsAfter("prep")));
        await s.CreatePipelineAsync(Specs.Pipeline("side", Specs.Step("work", s.Id).WithGpus(2, s.GpuModel).WithRetry(0)));

        var staged = (await s.SubmitAsync("staged", admission: AdmissionMode.WholeRun)).Definition.Id;
        var prep = await agent.WaitForAssignmentAsync(staged, "prep");
        await agent.StartAsync(prep);
        // The whole quota is reserved: the stepwise run of the same tenant only borrows the idle GPUs.
        var side = (await s.SubmitAsync("side")).Definition.Id;
        var work = await agent.WaitForAssignmentAsync(side, "work");
        await agent.StartAsync(work);

        await agent.SucceedAsync(prep);

        var cancel = await agent.WaitForCancelAsync(work.Step);
        Assert.Contains("preempted (reclaim)", cancel.Reason, StringComparison.Ordinal);
        Assert.Contains($"reserved for admitted run {staged}", cancel.Reason, StringComparison.Ordinal);
        await agent.FinishAsync(work.Step, AttemptOutcome.Cancelled, 143, "terminated by SIGTERM");
        var train = await agent.WaitForAssignmentAsync(staged, "train");
        Assert.Equal(4, train.Gpus.Length);
        await agent.SucceedAsync(train);
        await s.WaitForStateAsync(staged, RunState.Succeeded);
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(side, "work", attempt: 2));
        await s.WaitForStateAsync(side, RunState.Succeeded);
    }

    [Fact]
    public async Task WholeRun_OverSeveralPools_IsRefusedNamingAdmission_AndARunWithoutGpusIsAdmittedAtOnce()
    {
        using var data = new TempDirectory();
        await using var cluster = await StartAsync(data);
        await using var s = new Scenario(cluster);
        var agent = await s.ConnectAsync("a", gpus: 0);
        var split = Specs.Step("a", s.Id).WithGpus(1, s.GpuModel);
        await s.CreatePipelineAsync(Specs.Pipeline("split",
            split with { Resources = split.Resources with { Pools = ["h200"] } },
            Specs.Step("b", s.Id).WithGpus(1, s.GpuModel)));
        await s.CreatePipelineAsync(Specs.Pipeline("cpu", Specs.Step("only", s.Id)));

        var refused = await Assert.ThrowsAsync<OrchestratorException>(() => s.SubmitAsync("split", admission: AdmissionMode.WholeRun));
        Assert.Equal(ErrorKind.InvalidArgument, refused.Kind);
        Assert.StartsWith("admission: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("default, h200", refused.Message, StringComparison.Ordinal);

        var cpu = (await s.SubmitAsync("cpu", admission: AdmissionMode.WholeRun)).Definition.Id;
        await agent.SucceedAsync(await agent.WaitForAssignmentAsync(cpu, "only"));
        var done = await s.WaitForStateAsync(cpu, RunState.Succeeded);
        Assert.Equal([RunEventType.RunSubmitted, RunEventType.RunAdmissionRequested, RunEventType.RunAdmitted], done.Events.Take(3).Select(e => e.Type));
    }
}
