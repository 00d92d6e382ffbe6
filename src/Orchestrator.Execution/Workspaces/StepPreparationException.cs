namespace Orchestrator.Execution.Workspaces;

/// <summary>A step attempt could not be set up; <see cref="IsAgentFault"/> tells whose problem it is.</summary>
public sealed class StepPreparationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, naming the field and the fix.</param>
    /// <param name="isAgentFault">True for the agent's own trouble (a disk error, an input that cannot be fetched):
    /// reported as an infrastructure failure. False for a problem in the step itself.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public StepPreparationException(string message, bool isAgentFault, Exception? inner = null) : base(message, inner)
    {
        IsAgentFault = isAgentFault;
    }

    /// <summary>True when the agent, not the step, is at fault.</summary>
    public bool IsAgentFault { get; }
}
