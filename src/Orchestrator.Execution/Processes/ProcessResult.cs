namespace Orchestrator.Execution.Processes;

/// <summary>How a step process ended.</summary>
/// <param name="ExitCode">The exit code; for a process killed by a signal, 128 + the signal number (the shell convention).</param>
/// <param name="TimedOut">True when the runner stopped it because the launch's timeout passed.</param>
/// <param name="Cancelled">True when it was stopped by <see cref="RunningStep.CancelAsync"/>.</param>
/// <param name="Signal">The signal that ended it, or null when it exited by itself.</param>
/// <param name="Message">One line for people: "exited with code 3", "killed by signal 9 (SIGKILL)", "timed out after 5 s; …".</param>
public sealed record ProcessResult(int ExitCode, bool TimedOut, bool Cancelled, int? Signal, string Message)
{
    /// <summary>True when it exited with code 0 by itself.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;
}
