using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Runs;

/// <summary>What an activatable step does.</summary>
public enum ActivationKind
{
    /// <summary>Runs (after a cache miss).</summary>
    Run,
    /// <summary>Skipped.</summary>
    Skip,
    /// <summary>Fails without running.</summary>
    Fail,
    /// <summary>Cancelled with the run.</summary>
    Cancel,
}

/// <summary>The decision for one activatable step.</summary>
public sealed record Activation(ActivationKind Kind, ResolvedStep? Step, string? Reason, SkipCause? SkipCause)
{
    /// <summary>The step runs as resolved.</summary>
    public static Activation Runs(ResolvedStep step) => new(ActivationKind.Run, step, null, null);
    /// <summary>The step is skipped.</summary>
    public static Activation Skipped(SkipCause cause, string reason) => new(ActivationKind.Skip, null, reason, cause);
    /// <summary>The step fails without running.</summary>
    public static Activation Failed(string reason) => new(ActivationKind.Fail, null, reason, null);
    /// <summary>The step is cancelled.</summary>
    public static Activation Cancelled(string reason) => new(ActivationKind.Cancel, null, reason, null);
}

/// <summary>How an attempt ended, as the agent saw it.</summary>
public enum AttemptOutcome
{
    /// <summary>Exit code 0 and every output written.</summary>
    Succeeded = 1,
    /// <summary>Non-zero exit, or a missing output.</summary>
    Failed,
    /// <summary>Killed at its time limit.</summary>
    TimedOut,
    /// <summary>Stopped on request.</summary>
    Cancelled,
    /// <summary>The agent could not run it.</summary>
    InfrastructureFailed,
}

/// <summary>The answer to an external report (placed, started, finished, lost).</summary>
/// <param name="Disposition">Whether it changes the run.</param>
/// <param name="Events">Events to persist and apply when <see cref="TransitionDisposition.Applied"/>.</param>
public sealed record Transition(TransitionDisposition Disposition, IReadOnlyList<RunEvent> Events)
{
    /// <summary>The report is about an attempt that is no longer current: whatever it holds should be released.</summary>
    public static Transition Stale { get; } = new(TransitionDisposition.Stale, []);
    /// <summary>The report repeats one already applied: nothing to do.</summary>
    public static Transition Duplicate { get; } = new(TransitionDisposition.Duplicate, []);
    /// <summary>The report changes the run.</summary>
    public static Transition Apply(IReadOnlyList<RunEvent> events) => new(TransitionDisposition.Applied, events);
}

/// <summary>See <see cref="Transition"/>.</summary>
public enum TransitionDisposition
{
    /// <summary>Events follow.</summary>
    Applied,
    /// <summary>Already applied.</summary>
    Duplicate,
    /// <summary>About an attempt that is no longer current.</summary>
    Stale,
}

/// <summary>The run is not in a state that allows the request (FAILED_PRECONDITION).</summary>
public sealed class RunPreconditionException(string message) : Exception(message);
