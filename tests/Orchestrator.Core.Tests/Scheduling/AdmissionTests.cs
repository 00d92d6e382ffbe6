using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Admission;
using Orchestrator.Core.Scheduling.Policies;

using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Whole-run admission: reservations against the tenant's GPU quota, FIFO per tenant within priority, jobs
/// charged to an admitted run staying within quota while the tenant's other jobs borrow, the explanation, restore, and
/// the policy switch that keeps the core's history.</summary>
public sealed class AdmissionTests
{
    private static JobRequest Admitted(string id, string run, int gpus, int submittedSecond = 0) =>
        Job(id, gpus: gpus, submittedSecond: submittedSecond) with { AdmittedRun = run };

    [Fact]
    public void SecondRun_WhosePeakDoesNotFitTheRest_WaitsUntilTheFirstWithdraws()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 16)]));

        Assert.True(scheduler.Admit("r1", "ml-team", 0, 12));
        Assert.False(scheduler.Admit("r2", "ml-team", 0, 8));
        Assert.False(scheduler.IsAdmitted("r2"));

        var usage = scheduler.Usage().Tenants.Single(t => t.Tenant == "ml-team");
        Assert.Equal((12, 1), (usage.ReservedGpus, usage.WaitingAdmissions));

        Assert.Equal(["r2"], scheduler.Withdraw("r1"));
        Assert.True(scheduler.IsAdmitted("r2"));
        usage = scheduler.Usage().Tenants.Single(t => t.Tenant == "ml-team");
        Assert.Equal((8, 0), (usage.ReservedGpus, usage.WaitingAdmissions));
        Assert.Equal([new AdmissionRecord("r2", "ml-team", 0, 8, true)], scheduler.Admissions());
    }

    [Fact]
    public void WaitingAdmissions_GoByPriorityThenArrival_AndOneAboveTheWholeQuotaHoldsNobodyUp()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 8)]));
        Assert.True(scheduler.Admit("running", "ml-team", 0, 8));
        Assert.False(scheduler.Admit("huge", "ml-team", 5, 32));
        Assert.False(scheduler.Admit("low", "ml-team", 0, 4));
        Assert.False(scheduler.Admit("high", "ml-team", 1, 6));
        Assert.False(scheduler.Admit("later-low", "ml-team", 0, 2));

        // 8 free: high (6) first; low (4) no longer fits and, FIFO, holds later-low back.
        Assert.Equal(["high"], scheduler.Withdraw("running"));
        Assert.Equal(["low", "later-low"], scheduler.Withdraw("high"));
        Assert.False(scheduler.IsAdmitted("huge"));
    }

    [Fact]
    public void TenantThatMayNotBorrow_AdmitsOnlyIntoQuotaItsOtherStepsLeaveFree_AndNeverHoldsMoreThanItsQuota()
    {
        // Found by the property test: admitting this run at once would have demoted the tenant's running steps to
        // "borrowing", and with free GPUs the run's job would start beside them: 6 GPUs held on a quota of 4.
        var (scheduler, _) = Scheduler(Config([Tenant("strict", 4, mayBorrow: false)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("a", tenant: "strict", gpus: 2), Job("b", tenant: "strict", gpus: 2));
        Assert.Equal(["a", "b"], scheduler.Schedule().PlacedIds());

        Assert.False(scheduler.Admit("run", "strict", 0, 2));
        Assert.Contains("its other steps hold 4 and it may not borrow", scheduler.ExplainAdmission("run").Reasons[0].Message, StringComparison.Ordinal);

        scheduler.Release("a", completed: true);
        var pass = scheduler.Schedule();
        Assert.Equal(["run"], pass.AdmittedRuns);
        scheduler.Enqueue(Job("run-step", tenant: "strict", gpus: 2) with { AdmittedRun = "run" });
        Assert.Equal(["run-step"], scheduler.Schedule().PlacedIds());
        Assert.Equal(4, scheduler.Usage().Tenants.Single(t => t.Tenant == "strict").Gpus);
    }

    [Fact]
    public void TenantThatMayNotBorrow_RunEndingBeforeItsLastStepIsReleased_AdmitsTheNextRunOnThePassAfterTheRelease()
    {
        // The live order of events: the run ends and withdraws while its node has not yet reported the last step's release.
        var (scheduler, _) = Scheduler(Config([Tenant("strict", 8, mayBorrow: false)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        Assert.True(scheduler.Admit("first", "strict", 0, 8));
        scheduler.Enqueue(Job("join", tenant: "strict", gpus: 8) with { AdmittedRun = "first" });
        Assert.Equal(["join"], scheduler.Schedule().PlacedIds());
        Assert.False(scheduler.Admit("second", "strict", 0, 8));

        Assert.Empty(scheduler.Withdraw("first"));
        Assert.False(scheduler.AdmissionsToRecheck);
        scheduler.Release("join", completed: true);

        Assert.True(scheduler.AdmissionsToRecheck);
        Assert.Equal(["second"], scheduler.Schedule().AdmittedRuns);
        Assert.False(scheduler.AdmissionsToRecheck);
    }

    [Fact]
    public void ZeroPeak_IsAdmittedAtOnce_EvenWithoutQuota()
    {
        var (scheduler, _) = Scheduler();

        Assert.True(scheduler.Admit("cpu-only", "stranger", 0, 0));
        Assert.False(scheduler.Admit("gpu", "stranger", 0, 1));
    }

    [Fact]
    public void JobsOfAnAdmittedRun_StayWithinQuota_WhileTheTenantsStepwiseJobsBorrow()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 8)]));
        scheduler.AddNodes(Node("n1", gpus: 8), Node("n2", gpus: 8));
        Assert.True(scheduler.Admit("r1", "ml-team", 0, 8));
        scheduler.EnqueueAll(Admitted("a1", "r1", 4, 1), Job("stepwise", gpus: 2, submittedSecond: 2), Admitted("a2", "r1", 4, 3));

        var result = scheduler.Schedule();

        Assert.False(result.PlacementOf("a1").Borrowed);
        Assert.False(result.PlacementOf("a2").Borrowed);
        Assert.True(result.PlacementOf("stepwise").Borrowed);
        Assert.True(scheduler.IsChargedToAdmission("a1"));
    }

    [Fact]
    public void JobBeyondItsRunsReservation_IsJudgedLikeAStepwiseJob()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 8)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        Assert.True(scheduler.Admit("r1", "ml-team", 0, 4));
        scheduler.EnqueueAll(Admitted("a1", "r1", 4, 1), Admitted("extra", "r1", 2, 2));

        var result = scheduler.Schedule();

        Assert.False(result.PlacementOf("a1").Borrowed);
        Assert.False(result.PlacementOf("extra").Borrowed); // within the 4 unreserved GPUs of the quota
        Assert.False(scheduler.IsChargedToAdmission("extra"));
    }

    [Fact]
    public void Admission_TurnsStepwiseJobsBeyondTheOpenQuotaIntoBorrowers_ThatTheAdmittedRunReclaims()
    {
        var (scheduler, clock) = Scheduler(Config([Tenant("ml-team", 8)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("old", gpus: 4, submittedSecond: 1), Job("new", gpus: 4, submittedSecond: 2));
        var first = scheduler.Schedule();
        Assert.All(first.Placements, p => Assert.False(p.Borrowed));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(scheduler.Admit("r1", "ml-team", 0, 4));
        Assert.True(scheduler.IsBorrowing("new"));
        Assert.False(scheduler.IsBorrowing("old"));

        scheduler.EnqueueAll(Admitted("a1", "r1", 4, 100));
        var result = scheduler.Schedule();

        var order = Assert.Single(result.Preemptions);
        Assert.Equal(("new", PreemptionCause.Reclaim, "a1"), (order.JobId, order.Cause, order.ForJobId));
        Assert.Contains("reserved for admitted run r1", order.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Withdraw_LetsTheTenantsBorrowingJobsBackWithinQuota()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 8)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        Assert.True(scheduler.Admit("r1", "ml-team", 0, 8));
        scheduler.EnqueueAll(Job("stepwise", gpus: 4));
        Assert.True(scheduler.Schedule().PlacementOf("stepwise").Borrowed);

        scheduler.Withdraw("r1");

        Assert.False(scheduler.IsBorrowing("stepwise"));
    }

    [Fact]
    public void ExplainAdmission_SaysWhatIsReservedAndWhatItNeeds()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 16)]));
        scheduler.Admit("r1", "ml-team", 0, 12);
        scheduler.Admit("r2", "ml-team", 0, 8);
        scheduler.Admit("r3", "ml-team", 0, 8);
        scheduler.Admit("r4", "nobody", 0, 2);

        var r3 = scheduler.ExplainAdmission("r3");
        var r4 = scheduler.ExplainAdmission("r4");

        Assert.Equal(PendingReasonKind.Admission, r3.Reasons[0].Kind);
        Assert.Equal("run r3 waits for admission: tenant ml-team has 12 of 16 GPUs reserved in pool h200 and needs 8", r3.Reasons[0].Message);
        Assert.Equal(1, r3.Position);
        Assert.Contains("1 run of tenant ml-team waits for admission ahead of it", r3.Reasons[1].Message, StringComparison.Ordinal);
        Assert.Contains("tenant nobody has no GPU quota in pool h200", r4.Reasons[0].Message, StringComparison.Ordinal);
        Assert.Equal(PendingReasonKind.NotQueued, scheduler.ExplainAdmission("r1").Reasons[0].Kind);
    }

    [Fact]
    public void SmallerQuota_KeepsAdmissions_LargerQuota_AdmitsWaitingRunsOnTheNextPass()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 8)]));
        Assert.True(scheduler.Admit("r1", "ml-team", 0, 8));
        Assert.False(scheduler.Admit("r2", "ml-team", 0, 4));

        scheduler.Configure(Config([Tenant("ml-team", 4)]));
        Assert.True(scheduler.IsAdmitted("r1"));
        Assert.Empty(scheduler.Schedule().AdmittedRuns);

        scheduler.Configure(Config([Tenant("ml-team", 12)]));
        Assert.Equal(["r2"], scheduler.Schedule().AdmittedRuns);
    }

    [Fact]
    public void RestoredAdmissions_KeepTheirReservation_AndWaitingOnesAreReconsidered()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 8)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.RestoreAdmission(new AdmissionRecord("r1", "ml-team", 0, 8, true));
        scheduler.RestoreAdmission(new AdmissionRecord("r2", "ml-team", 0, 8, false));
        Assert.True(scheduler.Restore(Admitted("a1", "r1", 4), [new ReplicaPlacement("n1", [0, 1, 2, 3])], Start));

        Assert.True(scheduler.IsChargedToAdmission("a1"));
        Assert.Empty(scheduler.Schedule().AdmittedRuns);
        Assert.Equal(["r2"], scheduler.Withdraw("r1"));
    }

    [Fact]
    public void SetPolicy_RanksTheQueueAgain_AndKeepsTheDurationHistory()
    {
        var (scheduler, clock) = Scheduler(Config([Tenant("ml-team", 8)]));
        scheduler.AddNodes(Node("n1", gpus: 1));
        scheduler.EnqueueAll(Job("done", historyKey: "k"));
        scheduler.Schedule();
        clock.Advance(TimeSpan.FromMinutes(5));
        scheduler.Release("done", completed: true);
        scheduler.EnqueueAll(Job("long", submittedSecond: 1, expected: TimeSpan.FromHours(2)), Job("short", submittedSecond: 2, expected: TimeSpan.FromMinutes(1)));

        scheduler.SetPolicy(new SrtfPolicy());

        Assert.Equal("srtf", scheduler.Policy.Name);
        Assert.Equal(TimeSpan.FromMinutes(5), scheduler.Durations.Estimate("k"));
        Assert.Equal(["short"], scheduler.Schedule().PlacedIds());
    }
}
