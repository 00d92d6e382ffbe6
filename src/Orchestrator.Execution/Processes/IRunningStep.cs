namespace Orchestrator.Execution.Processes;

/// <summary>A started step attempt: how to follow it to its end and how to stop it.</summary>
public interface IRunningStep
{
    /// <summary>The OS process id; 0 where the step does not run as a local process (a pod).</summary>
    int ProcessId { get; }

    /// <summary>Completes when the step has ended and its output has been delivered; never faults.</summary>
    Task<ProcessResult> Completion { get; }

    /// <summary>Asks the step to stop, forcing it after <paramref name="grace"/>; completes when it has ended.</summary>
    Task<ProcessResult> CancelAsync(TimeSpan grace);
}
