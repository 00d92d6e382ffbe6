namespace Orchestrator.Core.Runs;

/// <summary>The state of a run.</summary>
public enum RunState
{
    /// <summary>Accepted, no step started yet.</summary>
    Pending = 1,
    /// <summary>At least one step is past Waiting.</summary>
    Running = 2,
    /// <summary>Every step succeeded, was cached or was skipped by its condition.</summary>
    Succeeded = 3,
    /// <summary>A step failed after its retries.</summary>
    Failed = 4,
    /// <summary>Cancelled by a user.</summary>
    Cancelled = 5,
}

/// <summary>The state of one step of a run.</summary>
public enum StepState
{
    /// <summary>Waiting for upstream steps, or for the backoff before a retry.</summary>
    Waiting = 1,
    /// <summary>Queued for placement.</summary>
    Ready = 2,
    /// <summary>GPUs and a node assigned; not yet started by the agent.</summary>
    Placed = 3,
    /// <summary>The process runs.</summary>
    Running = 4,
    /// <summary>Finished with exit code 0 and every declared output.</summary>
    Succeeded = 5,
    /// <summary>Failed after its retries.</summary>
    Failed = 6,
    /// <summary>Not run: its condition was false or an input came from a skipped or failed step.</summary>
    Skipped = 7,
    /// <summary>Not run: outputs reused from an identical earlier step.</summary>
    Cached = 8,
    /// <summary>Stopped or never started because the run was cancelled.</summary>
    Cancelled = 9,
}

/// <summary>Helpers over <see cref="RunState"/> and <see cref="StepState"/>.</summary>
public static class States
{
    /// <summary>True for Succeeded, Failed and Cancelled.</summary>
    public static bool IsTerminal(this RunState state) => state is RunState.Succeeded or RunState.Failed or RunState.Cancelled;

    /// <summary>True for Succeeded, Failed, Skipped, Cached and Cancelled.</summary>
    public static bool IsTerminal(this StepState state) =>
        state is StepState.Succeeded or StepState.Failed or StepState.Skipped or StepState.Cached or StepState.Cancelled;

    /// <summary>True when the step's outputs exist (Succeeded or Cached).</summary>
    public static bool HasOutputs(this StepState state) => state is StepState.Succeeded or StepState.Cached;
}
