namespace Orchestrator.Core.Scheduling;

/// <summary>Rejects malformed jobs with a message naming the field and the fix.</summary>
internal static class JobRequestChecks
{
    public static void ThrowIfInvalid(JobRequest job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (string.IsNullOrEmpty(job.Id)) throw new ArgumentException("job.Id must be a non-empty job id", nameof(job));
        if (string.IsNullOrEmpty(job.Tenant)) throw new ArgumentException($"job {job.Id}: Tenant must be a non-empty tenant name", nameof(job));
        if (job.Shape is null || job.Shape.PerReplica is null)
        {
            throw new ArgumentException($"job {job.Id}: Shape and Shape.PerReplica must be set", nameof(job));
        }

        if (job.Shape.Replicas < 1) throw new ArgumentException($"job {job.Id}: Shape.Replicas is {job.Shape.Replicas}; it must be at least 1", nameof(job));
        var request = job.Shape.PerReplica;
        if (request.Gpus < 0) throw new ArgumentException($"job {job.Id}: Shape.PerReplica.Gpus is {request.Gpus}; it must be 0 or more", nameof(job));
        if (request.CpuMillis < 0 || request.MemoryBytes < 0)
        {
            throw new ArgumentException($"job {job.Id}: Shape.PerReplica.CpuMillis and MemoryBytes must be 0 or more", nameof(job));
        }

        if (request.GpuModel is null) throw new ArgumentException($"job {job.Id}: Shape.PerReplica.GpuModel must be a model name or \"\" for any", nameof(job));
        if (job.ExpectedDuration is { } duration && duration < TimeSpan.Zero)
        {
            throw new ArgumentException($"job {job.Id}: ExpectedDuration is negative; give a positive duration or null", nameof(job));
        }

        if (job.HistoryKey is null) throw new ArgumentException($"job {job.Id}: HistoryKey must be a key or \"\" for none", nameof(job));
    }

    public static void ThrowIfInvalidPlacement(JobRequest job, IReadOnlyList<ReplicaPlacement> replicas)
    {
        if (replicas.Count != job.Shape.Replicas)
        {
            throw new ArgumentException($"job {job.Id}: {replicas.Count} replica placements given for {job.Shape.Replicas} replicas; give one per replica",
                nameof(replicas));
        }

        foreach (var replica in replicas)
        {
            if (replica?.GpuIndices is null || replica.Node is null) throw new ArgumentException($"job {job.Id}: a replica placement has no node or GPU list", nameof(replicas));
            if (replica.GpuIndices.Count != job.Shape.PerReplica.Gpus)
            {
                throw new ArgumentException($"job {job.Id}: a replica on node {replica.Node} lists {replica.GpuIndices.Count} GPUs for {job.Shape.PerReplica.Gpus} per replica",
                    nameof(replicas));
            }
        }
    }
}
