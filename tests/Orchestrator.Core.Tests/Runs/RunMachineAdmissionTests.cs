using Orchestrator.Core.Runs;

using static Orchestrator.Core.Tests.Runs.RunMachineTestKit;

namespace Orchestrator.Core.Tests.Runs;

/// <summary>Whole-run admission in the run state machine: no step is activated until the run is admitted, a peak of 0
/// is admitted at once, a replay keeps the state, and a retry asks for admission again.</summary>
public sealed class RunMachineAdmissionTests
{
    [Fact]
    public void WaitingRun_ActivatesNoStep_UntilAdmitted()
    {
        var kit = new RunMachineTestKit(Spec(Step("a"), Step("b")));
        kit.Commit(kit.Machine.RequestAdmission("h200", 4, kit.Now));
        kit.Advance();
        Assert.True(kit.Machine.AdmissionWaiting);
        Assert.Equal(StepState.Waiting, kit["a"].State);
        Assert.True(kit.Replay().AdmissionWaiting);

        kit.Commit([kit.Machine.OnAdmitted("scheduler", kit.Now)!]);
        kit.Advance();

        Assert.Equal((false, true, "h200"), (kit.Machine.AdmissionWaiting, kit.Machine.Admitted, kit.Machine.AdmissionPool));
        Assert.Equal(StepState.Ready, kit["a"].State);
        Assert.Equal(StepState.Ready, kit["b"].State);
        Assert.Null(kit.Machine.OnAdmitted("scheduler", kit.Now));
    }

    [Fact]
    public void ZeroPeak_IsAdmittedAtOnce_WithoutAPool()
    {
        var kit = new RunMachineTestKit(Spec(Step("a")));

        var events = kit.Machine.RequestAdmission("h200", 0, kit.Now);

        Assert.Equal([RunEventType.RunAdmissionRequested, RunEventType.RunAdmitted], events.Select(e => e.Type));
        Assert.Null(events[0].Pool);
    }

    [Fact]
    public void CancelledWhileWaiting_FinishesCancelled_AndARetryAsksForAdmissionAgain()
    {
        var kit = new RunMachineTestKit(Spec(Step("a")));
        kit.Commit(kit.Machine.RequestAdmission("h200", 2, kit.Now));
        kit.Advance();
        kit.Commit(kit.Machine.RequestCancel("user:alice", "not now", kit.Now));
        kit.Advance();
        Assert.Equal(RunState.Cancelled, kit.Machine.State);

        var retry = kit.Machine.Retry("user:alice", kit.Now);

        Assert.Equal([RunEventType.RunRetried, RunEventType.RunAdmissionRequested], retry.Select(e => e.Type));
        Assert.Equal(("h200", 2L), (retry[1].Pool, retry[1].PeakGpus));
    }
}
