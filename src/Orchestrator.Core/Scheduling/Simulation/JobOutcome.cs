namespace Orchestrator.Core.Scheduling.Simulation;

/// <summary>What happened to one job in a simulation.</summary>
/// <param name="Id">Trace job id.</param>
/// <param name="Tenant">Tenant.</param>
/// <param name="Gpus">GPUs of the gang.</param>
/// <param name="Submitted">Submission, seconds from the trace's start.</param>
/// <param name="FirstStarted">First start, seconds from the trace's start.</param>
/// <param name="Completed">Completion, seconds from the trace's start.</param>
/// <param name="RunSeconds">Its trace duration: the run time it needed.</param>
/// <param name="HeldGpuSeconds">GPU-seconds it held, grace periods of preemptions included.</param>
/// <param name="Preemptions">How often it was preempted.</param>
public sealed record JobOutcome(string Id, string Tenant, int Gpus, double Submitted, double FirstStarted, double Completed, double RunSeconds,
    double HeldGpuSeconds, int Preemptions)
{
    /// <summary>Job completion time: completion minus submission.</summary>
    public double JctSeconds => Completed - Submitted;

    /// <summary>Time it spent not making progress: JCT minus run time (waiting, and grace periods lost to preemption).</summary>
    public double QueueSeconds => JctSeconds - RunSeconds;
}
