using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Nodes;

namespace Orchestrator.Grains.Scheduling;

/// <summary>Translates between the live system's step attempts and allocations and the core's jobs.</summary>
public static class SchedulingJobs
{
    /// <summary>The job of a ready step attempt: id = the attempt's key, one replica of its resources per process.</summary>
    public static JobRequest ToJob(PendingStep step, DateTimeOffset now) => new(
        step.Step.ToString(), step.Tenant, step.Priority, new GangShape(Math.Max(1, step.Replicas), step.Resources), step.ReadySince ?? now,
        step.ExpectedDuration, step.HistoryKey, AttainedGpuSeconds: step.AttainedGpuSeconds, AdmittedRun: step.AdmittedRun);

    /// <summary>What the node stores with the allocation so that a restarted scheduler can restore the job.</summary>
    public static AllocationJob ToAllocationJob(string pool, JobRequest job) => new(
        pool, job.Tenant, job.Priority, job.Shape.PerReplica.GpuModel, job.SubmittedAt, job.ExpectedDuration, job.HistoryKey);

    /// <summary>The running job an allocation stands for, restored from a node's report: one job per allocation, keyed
    /// by the allocation (for a gang, by the process: each node restores its own part of the gang).</summary>
    public static JobRequest FromAllocation(AllocationRecord allocation)
    {
        var job = allocation.Job;
        var request = new ResourceRequest(allocation.CpuMillis, allocation.MemoryBytes, allocation.Gpus.Length, job?.GpuModel ?? "");
        return new JobRequest(allocation.Step.ToString(), job?.Tenant ?? "default", job?.Priority ?? 0, new GangShape(1, request),
            job?.ReadySince ?? allocation.Since, job?.ExpectedDuration, job?.HistoryKey ?? "");
    }

    /// <summary>The core's view of a node.</summary>
    public static NodeSpec ToSpec(PoolNodeReport report) =>
        new(report.Node, report.Labels, report.GpuModel, report.GpuCount, report.CpuMillis, report.MemoryBytes, report.Schedulable);
}
