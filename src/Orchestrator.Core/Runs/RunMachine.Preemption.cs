namespace Orchestrator.Core.Runs;

/// <summary>Preemption: the scheduler takes a step attempt's resources for a waiting step. The attempt is recorded as
/// preempted and stopped; when it has ended the step is queued again as a new attempt that keeps its place
/// (<see cref="StepRuntime.ReadySince"/>) and uses neither a retry nor the infrastructure cap.</summary>
public sealed partial class RunMachine
{
    /// <summary>The scheduler orders attempt <paramref name="attempt"/> of step <paramref name="key"/> stopped.
    /// A running attempt gets a <see cref="RunEventType.StepPreempted"/> event (the caller stops its process and waits
    /// for the end); a placed one, which has not started, also ends at once and is queued again. The
    /// <paramref name="grace"/> between SIGTERM and SIGKILL is recorded, so a stop re-sent after a restart keeps it.</summary>
    public Transition OnPreemptOrdered(string key, int attempt, string reason, DateTimeOffset now, TimeSpan? grace = null)
    {
        var step = Find(key);
        if (step is null || step.Attempt != attempt) return Transition.Stale;
        if (step.State is not (StepState.Placed or StepState.Running) || step.PreemptRequested || CancelRequested) return Transition.Duplicate;

        var preempted = new RunEvent
        {
            Type = RunEventType.StepPreempted, StepKey = key, Attempt = attempt, Node = step.Node, Message = reason, Actor = "scheduler", Time = now,
            Grace = grace,
        };
        if (step.State == StepState.Running) return Transition.Apply([preempted]);
        return Transition.Apply([preempted, PreemptedAttemptEnded(step, "preempted before it started", "scheduler", now, exitCode: null)]);
    }

    /// <summary>The end of a preempted attempt: the step waits no time before its next attempt.</summary>
    private static RunEvent PreemptedAttemptEnded(StepRuntime step, string message, string actor, DateTimeOffset now, int? exitCode) => new()
    {
        Type = RunEventType.StepAttemptFailed, StepKey = step.Key, Attempt = step.Attempt, ExitCode = exitCode, Message = message,
        Preempted = true, RetryAt = now, Actor = actor, Time = now,
    };
}
