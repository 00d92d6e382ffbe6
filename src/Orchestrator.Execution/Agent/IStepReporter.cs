using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Agent;

/// <summary>Where a step execution sends what the control plane must hear about it.</summary>
internal interface IStepReporter
{
    /// <summary>The process started (an acknowledged report).</summary>
    void Started(StepRef step, int processId);

    /// <summary>The attempt is over (an acknowledged report); sent after its last log message.</summary>
    void Finished(StepFinished finished);

    /// <summary>A log message; false when it could not be queued (disconnected or backlogged).</summary>
    bool SendLog(AgentMessage message);
}
