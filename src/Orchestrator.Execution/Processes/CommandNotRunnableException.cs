namespace Orchestrator.Execution.Processes;

/// <summary>The step's command does not exist or cannot be executed: the step author's error, not the agent's.</summary>
public sealed class CommandNotRunnableException : Exception
{
    /// <summary>Creates the exception with a message that names the command and the fix.</summary>
    public CommandNotRunnableException(string message) : base(message)
    {
    }
}
