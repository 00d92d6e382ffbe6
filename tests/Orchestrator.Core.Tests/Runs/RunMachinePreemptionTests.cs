using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

using static Orchestrator.Core.Tests.Runs.RunMachineTestKit;

namespace Orchestrator.Core.Tests.Runs;

/// <summary>Verifies preemption in the run state machine: the order is recorded, the attempt ends as preempted, and
/// the step is queued again as the next attempt without using a retry or the infrastructure cap, keeping its place.</summary>
public sealed class RunMachinePreemptionTests
{
    private static RunMachineTestKit NoRetries() =>
        new(Spec(Step("a") with { Retry = new RetrySpec { Limit = 0 } }));

    [Fact]
    public void PreemptionGrace_IsRecorded_AndSurvivesAReplayOfTheJournal()
    {
        var kit = NoRetries();
        kit.Advance();
        kit.Place("a");
        kit.Start("a");

        kit.Commit(kit.Machine.OnPreemptOrdered("a", 1, "preempted (reclaim): tenant b needs its quota", kit.Now, TimeSpan.FromSeconds(45)).Events);

        Assert.Equal(TimeSpan.FromSeconds(45), kit["a"].PreemptGrace);
        Assert.Equal(TimeSpan.FromSeconds(45), Assert.Single(kit.Log, e => e.Type == RunEventType.StepPreempted).Grace);
        var replayed = new RunMachine(kit.Machine.RunId, kit.Machine.Plan, kit.Machine.CacheDisabled);
        foreach (var e in kit.Log) replayed.Apply(e);
        Assert.True(replayed.Find("a")!.PreemptRequested);
        Assert.Equal(TimeSpan.FromSeconds(45), replayed.Find("a")!.PreemptGrace);
    }

    [Fact]
    public void RunningAttempt_Preempted_StaysRunningUntilItEnds_ThenIsQueuedAgainWithoutARetry()
    {
        var kit = NoRetries();
        kit.Advance();
        var readySince = kit["a"].ReadySince;
        kit.Place("a");
        kit.Start("a");
        kit.Now = T0.AddMinutes(5);

        var order = kit.Machine.OnPreemptOrdered("a", 1, "preempted (priority): job b needs its GPUs", kit.Now);
        Assert.Equal(TransitionDisposition.Applied, order.Disposition);
        kit.Commit(order.Events);
        Assert.Equal(RunEventType.StepPreempted, Assert.Single(order.Events).Type);
        Assert.Equal(StepState.Running, kit["a"].State);
        Assert.True(kit["a"].PreemptRequested);
        Assert.Equal(TransitionDisposition.Duplicate, kit.Machine.OnPreemptOrdered("a", 1, "again", kit.Now).Disposition);

        // SIGTERM makes the process exit non-zero: still a preemption, not a user failure (retry limit 0 would fail it).
        kit.Finish("a", AttemptOutcome.Cancelled, 143);

        var a = kit["a"];
        Assert.Equal(StepState.Ready, a.State);
        Assert.Equal(2, a.Attempt);
        Assert.Equal(0, a.UserFailures);
        Assert.Equal(0, a.InfraFailures);
        Assert.Equal(readySince, a.ReadySince);
        var first = a.Attempts[0];
        Assert.True(first.Preempted);
        Assert.Equal(StepState.Cancelled, first.State);
        Assert.Equal(143, first.ExitCode);
        Assert.True(Assert.Single(kit.Log, e => e.Type == RunEventType.StepAttemptFailed).Preempted);

        kit.Run("a");
        Assert.Equal(RunState.Succeeded, kit.Machine.State);
        Assert.False(kit["a"].Attempts[1].Preempted);
    }

    [Fact]
    public void PlacedAttempt_Preempted_EndsAtOnce_AndIsQueuedAgain()
    {
        var kit = NoRetries();
        kit.Advance();
        kit.Place("a");

        var order = kit.Machine.OnPreemptOrdered("a", 1, "preempted (reclaim): tenant b reclaims its quota", kit.Now);
        kit.Commit(order.Events);
        kit.Advance();

        Assert.Equal([RunEventType.StepPreempted, RunEventType.StepAttemptFailed], order.Events.Select(e => e.Type));
        Assert.Equal(StepState.Ready, kit["a"].State);
        Assert.Equal(2, kit["a"].Attempt);
        Assert.True(kit["a"].Attempts[0].Preempted);
        Assert.Null(kit["a"].Node);
    }

    [Fact]
    public void PreemptedAttempt_LostWithItsNode_IsStillAPreemption()
    {
        var kit = NoRetries();
        kit.Advance();
        kit.Place("a");
        kit.Start("a");
        kit.Commit(kit.Machine.OnPreemptOrdered("a", 1, "preempted", kit.Now).Events);

        kit.Commit(kit.Machine.OnLost("a", 1, "node node-1 lost", kit.Now).Events);
        kit.Advance();

        Assert.Equal(StepState.Ready, kit["a"].State);
        Assert.Equal(0, kit["a"].InfraFailures);
        Assert.True(kit["a"].Attempts[0].Preempted);
    }

    [Fact]
    public void PreemptedAttempt_ThatSucceedsBeforeItStops_Succeeds()
    {
        var kit = NoRetries();
        kit.Advance();
        kit.Place("a");
        kit.Start("a");
        kit.Commit(kit.Machine.OnPreemptOrdered("a", 1, "preempted", kit.Now).Events);

        kit.Finish("a");

        Assert.Equal(RunState.Succeeded, kit.Machine.State);
        Assert.False(kit["a"].PreemptRequested);
    }

    [Fact]
    public void PreemptionOrders_ForOtherAttemptsOrEndedSteps_AreIgnored()
    {
        var kit = NoRetries();
        kit.Advance();

        Assert.Equal(TransitionDisposition.Stale, kit.Machine.OnPreemptOrdered("a", 2, "x", kit.Now).Disposition);
        Assert.Equal(TransitionDisposition.Stale, kit.Machine.OnPreemptOrdered("ghost", 1, "x", kit.Now).Disposition);
        Assert.Equal(TransitionDisposition.Duplicate, kit.Machine.OnPreemptOrdered("a", 1, "still ready", kit.Now).Disposition);
        kit.Run("a");
        Assert.Equal(TransitionDisposition.Duplicate, kit.Machine.OnPreemptOrdered("a", 1, "done", kit.Now).Disposition);
    }

    [Fact]
    public void PreemptedRun_CancelledBeforeTheAttemptEnds_IsCancelled()
    {
        var kit = NoRetries();
        kit.Advance();
        kit.Place("a");
        kit.Start("a");
        kit.Commit(kit.Machine.OnPreemptOrdered("a", 1, "preempted", kit.Now).Events);
        kit.Commit(kit.Machine.RequestCancel("user:test", "stop", kit.Now));

        kit.Finish("a", AttemptOutcome.Cancelled, 143);

        Assert.Equal(RunState.Cancelled, kit.Machine.State);
    }

    [Fact]
    public void Replay_OfAPreemptedRun_GivesTheSameState()
    {
        var kit = NoRetries();
        kit.Advance();
        kit.Place("a");
        kit.Start("a");
        kit.Commit(kit.Machine.OnPreemptOrdered("a", 1, "preempted", kit.Now).Events);
        kit.Finish("a", AttemptOutcome.Cancelled, 143);

        var replayed = kit.Replay().Find("a")!;

        Assert.Equal(kit["a"].Attempts, replayed.Attempts);
        Assert.Equal((StepState.Ready, 2, 0, 0), (replayed.State, replayed.Attempt, replayed.UserFailures, replayed.InfraFailures));
    }
}
