namespace Orchestrator.Execution.Processes;

/// <summary>Starts step attempts somewhere: as OS processes on this machine (<see cref="ProcessStepRunner"/>) or as
/// Kubernetes pods (<see cref="Kubernetes.PodStepRunner"/>). The agent's step execution is the same for both.</summary>
public interface IStepRunner
{
    /// <summary>Starts the attempt. Throws <see cref="CommandNotRunnableException"/> or
    /// <see cref="Workspaces.StepPreparationException"/> for the step's own faults; any other exception means the
    /// runner could not start it (the agent's trouble).</summary>
    Task<IRunningStep> StartAsync(StepLaunch launch, CancellationToken cancellationToken = default);
}
