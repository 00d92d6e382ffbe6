namespace Orchestrator.Core.Scheduling;

/// <summary>Preemption: by priority, by reclaim of borrowed capacity, and by rank.</summary>
public sealed partial class PoolScheduler
{
    private void OnRunningAdded(RunningJob job) { }

    private void OnRunningRemoved(RunningJob job) { }

    private bool PreemptionPossible() => false;

    private void TryPreempt(WaitingJob job, bool withinQuota, Pass pass) { }
}
