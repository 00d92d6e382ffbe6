namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>A simulation cannot run or cannot finish (a job the cluster can never hold, a core that stops placing,
/// a decision that breaks an invariant); the message says which job and what to change.</summary>
/// <param name="message">What went wrong, naming the job.</param>
public sealed class SimulationException(string message) : Exception(message);
