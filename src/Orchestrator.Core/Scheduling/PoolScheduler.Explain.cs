namespace Orchestrator.Core.Scheduling;

/// <summary>Explanations of why a job waits.</summary>
public sealed partial class PoolScheduler
{
    /// <summary>Why a job is still waiting, in words a user can act on.</summary>
    public PendingExplanation Explain(string jobId) => throw new NotImplementedException();
}
