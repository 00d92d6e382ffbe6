namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>The outcome of a simulation: the figures, each job's outcome, and what the run cost.</summary>
/// <param name="Policy">Policy name.</param>
/// <param name="Cluster">The simulated cluster.</param>
/// <param name="Metrics">JCT, makespan, queueing, utilization, fairness.</param>
/// <param name="Jobs">Each job's outcome, in completion order.</param>
/// <param name="SchedulingPasses">Calls to <see cref="PoolScheduler.Schedule"/>.</param>
/// <param name="WallTime">Real time the simulation took.</param>
public sealed record SimulationResult(string Policy, SimulatedCluster Cluster, SimulationMetrics Metrics, IReadOnlyList<JobOutcome> Jobs,
    long SchedulingPasses, TimeSpan WallTime);
