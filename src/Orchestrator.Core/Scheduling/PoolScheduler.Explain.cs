namespace Orchestrator.Core.Scheduling;

/// <summary>Why a job waits, in words a user can act on: its place in the order and every reason that holds now.</summary>
public sealed partial class PoolScheduler
{
    private BackfillReservation? _lastReservation;

    /// <summary>Why a job is still waiting, in words a user can act on.</summary>
    public PendingExplanation Explain(string jobId)
    {
        if (!_waiting.TryGetValue(jobId, out var job))
        {
            return new PendingExplanation(jobId, Pool, 0,
                [new PendingReason(PendingReasonKind.NotQueued, $"job {jobId} is not waiting in pool {Pool}: it is running, finished, or unknown here")]);
        }

        var reasons = new List<PendingReason>();
        var position = JobsAhead(job);
        if (!EverFits(job.Shape))
        {
            reasons.Add(new PendingReason(PendingReasonKind.NeverFits, NeverFitsMessage(job)));
        }

        var tenant = job.Tenant;
        var (withinQuota, _) = QuotaFor(tenant, job.Request, job.Total);
        if (!withinQuota && !tenant.MayBorrow)
        {
            var reserved = tenant.Reserved > 0 ? $" ({tenant.Reserved} of them reserved by admitted runs)" : "";
            reasons.Add(new PendingReason(PendingReasonKind.Quota,
                $"tenant {tenant.Name} uses {tenant.Used.Gpus} of {tenant.Quota.Gpus} GPUs in pool {Pool}{reserved} and may not borrow; the job needs {job.Total.Gpus} more"));
        }

        if (job.Nomination is { } nomination)
        {
            var count = nomination.Victims.Count;
            reasons.Add(new PendingReason(PendingReasonKind.AwaitingPreemption,
                count > 0 ? $"waiting for {count} preempted {(count == 1 ? "job" : "jobs")} to stop" : "preempted GPUs are free and held for it; it starts on the next pass"));
        }

        if (position > 0) reasons.Add(new PendingReason(PendingReasonKind.QueuedBehind, $"{position} {(position == 1 ? "job" : "jobs")} ahead of it"));

        if (EverFits(job.Shape) && job.Nomination is null)
        {
            if (GangPlanner.Plan(_index, job.Shape, _poolSpec.Packing, null) is null)
            {
                reasons.Add(new PendingReason(PendingReasonKind.Capacity, CapacityMessage(job)));
            }
            else if (_lastReservation is { } reservation && reservation.JobId != job.Id && _waiting.ContainsKey(reservation.JobId)
                && reservation.Constrains(EstimateOf(job.Request), _time.GetUtcNow()))
            {
                var start = reservation.Start is { } s ? $"expected to start at {s:u}" : "whose start is unknown (a job it waits for has no estimate)";
                reasons.Add(new PendingReason(PendingReasonKind.Reservation,
                    $"GPUs are reserved for job {reservation.JobId}, {start}; this job would delay it (give it an expected duration that ends before then)"));
            }
        }

        return new PendingExplanation(jobId, Pool, position, reasons);
    }

    /// <summary>Waiting jobs ahead in the order at the current shares (a pass updates shares as it places).</summary>
    private int JobsAhead(WaitingJob job)
    {
        var share = ShareKey(job.Tenant);
        var ahead = 0;
        foreach (var other in _waiting.Values)
        {
            if (ReferenceEquals(other, job)) continue;
            if (other.Level != job.Level)
            {
                if (other.Level > job.Level) ahead++;
                continue;
            }

            var otherShare = ShareKey(other.Tenant);
            var byShare = other.Tenant == job.Tenant ? 0 : otherShare.CompareTo(share);
            if (byShare < 0 || (byShare == 0 && WaitingOrder.Instance.Compare(other, job) < 0)) ahead++;
        }

        return ahead;
    }

    private string NeverFitsMessage(WaitingJob job)
    {
        var shape = job.Shape;
        var model = job.Request.Shape.PerReplica.GpuModel;
        var nodes = _nodes.Values.Where(n => n.Schedulable).ToList();
        if (nodes.Count == 0) return $"pool {Pool} has no schedulable node";
        if (model.Length > 0 && !nodes.Any(n => n.ModelKey == shape.ModelKey)) return $"no node in pool {Pool} has GPUs of model {model}";
        var matching = nodes.Where(n => shape.ModelKey.Length == 0 || n.ModelKey == shape.ModelKey).ToList();
        var largest = matching.Max(n => n.Spec.GpuCount);
        var totalGpus = matching.Sum(n => n.Spec.GpuCount);
        var what = shape.Replicas == 1 ? $"{shape.Gpus} {ModelWords(model)}GPUs" : $"{shape.Replicas} replicas of {shape.Gpus} {ModelWords(model)}GPUs";
        if (shape.Gpus > largest) return $"no node in pool {Pool} has {shape.Gpus} {ModelWords(model)}GPUs: the largest has {largest}";
        if (shape.Replicas * shape.Gpus > totalGpus) return $"pool {Pool} has {totalGpus} {ModelWords(model)}GPUs in all; the job needs {what}";
        return $"no node in pool {Pool} has {shape.CpuMillis / 1000.0:0.###} CPUs and {shape.MemoryBytes / (1024.0 * 1024 * 1024):0.##} GiB per replica beside its GPUs";
    }

    private string CapacityMessage(WaitingJob job)
    {
        var shape = job.Shape;
        var model = job.Request.Shape.PerReplica.GpuModel;
        var largest = _index.For(shape.ModelKey)?.Largest();
        var block = largest is null ? "no GPUs are free" : $"largest free block is {largest.FreeGpus} on {largest.Name}";
        if (shape.Replicas == 1)
        {
            return shape.Gpus > 0
                ? $"no node has {shape.Gpus} free {ModelWords(model)}GPUs: {block}"
                : $"no node has {shape.CpuMillis / 1000.0:0.###} free CPUs and {shape.MemoryBytes / (1024.0 * 1024 * 1024):0.##} GiB free memory";
        }

        var free = _index.For(shape.ModelKey)?.FreeGpus ?? 0;
        return $"no set of nodes has {shape.Replicas} x {shape.Gpus} free {ModelWords(model)}GPUs: {free} are free in all, {block}";
    }

    private static string ModelWords(string model) => model.Length == 0 ? "" : model.ToUpperInvariant() + " ";
}
