using Orchestrator.Core.Scheduling.Admission;

namespace Orchestrator.Core.Scheduling;

/// <summary>Whole-run admission, as Kueue admits workloads: a run's peak concurrent GPU demand is reserved against its
/// tenant's GPU quota before its first step is queued, so the run never stalls half-way for quota. Admissions of a
/// tenant wait in order (priority, then arrival); jobs charged to an admitted run are within quota up to its
/// reservation, and the tenant's other jobs see the quota minus its reservations.</summary>
public sealed partial class PoolScheduler
{
    private readonly Dictionary<string, RunAdmission> _admissions = new(StringComparer.Ordinal);
    private long _admissionSequence;
    private bool _admissionRecheck;

    /// <summary>True when waiting admissions may fit now (a larger quota, or a released job of a tenant that may not
    /// borrow): the next <see cref="Schedule"/> re-checks them, so a caller with an empty queue should still run one.</summary>
    public bool AdmissionsToRecheck => _admissionRecheck;

    /// <summary>Asks to reserve <paramref name="gpus"/> (the run's peak) of <paramref name="tenant"/>'s GPU quota for
    /// <paramref name="runId"/>. True when admitted now: the tenant's reservations plus the peak fit its quota and no
    /// admission of the tenant waits ahead of it; false when it waits (FIFO per tenant within priority) until
    /// <see cref="Withdraw"/> or a larger quota makes room. A peak of 0 is admitted at once. A tenant with no quota in the
    /// pool, or a peak above the whole quota, waits until the quota is raised (<see cref="ExplainAdmission"/> says so)
    /// and does not hold up the tenant's smaller admissions. Asking again for an admission already known is a no-op.</summary>
    public bool Admit(string runId, string tenant, int priority, int gpus)
    {
        if (string.IsNullOrEmpty(runId)) throw new ArgumentException("runId must be a non-empty run id", nameof(runId));
        if (string.IsNullOrEmpty(tenant)) throw new ArgumentException($"run {runId}: tenant must be a non-empty tenant name", nameof(tenant));
        if (gpus < 0) throw new ArgumentOutOfRangeException(nameof(gpus), $"run {runId}: gpus is {gpus}; a run's peak is 0 or more");
        if (_admissions.TryGetValue(runId, out var known)) return known.Admitted;
        var admission = new RunAdmission(runId, TenantNamed(tenant), priority, gpus, ++_admissionSequence);
        _admissions[runId] = admission;
        admission.Tenant.AdmissionQueue.Add(admission);
        AdmitWaiting(admission.Tenant);
        return admission.Admitted;
    }

    /// <summary>Restores an admission as it was stored (after a restart): an admitted one keeps its reservation even
    /// above a quota that shrank since; a waiting one queues again and is reconsidered on the next pass (reported in
    /// <see cref="ScheduleResult.Admitted"/>). Call it before restoring running jobs so they are charged to it.</summary>
    public void RestoreAdmission(AdmissionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (_admissions.ContainsKey(record.RunId)) return;
        var admission = new RunAdmission(record.RunId, TenantNamed(record.Tenant), record.Priority, Math.Max(0, record.Gpus), ++_admissionSequence);
        _admissions[record.RunId] = admission;
        if (record.Admitted) Reserve(admission);
        else
        {
            admission.Tenant.AdmissionQueue.Add(admission);
            _admissionRecheck = true;
        }
    }

    /// <summary>Ends a run's admission (the run ended, or gave up waiting): its reservation is freed, its running jobs
    /// count as the tenant's ordinary jobs, and waiting admissions of the tenant that now fit are admitted. Returns
    /// the runs admitted as a result (the caller tells them); empty when none, or when the run was unknown here.</summary>
    public IReadOnlyList<string> Withdraw(string runId)
    {
        if (!_admissions.Remove(runId, out var admission)) return [];
        var tenant = admission.Tenant;
        if (!admission.Admitted)
        {
            tenant.AdmissionQueue.Remove(admission);
            return AdmitWaiting(tenant);
        }

        tenant.Reserved -= admission.Gpus;
        foreach (var job in _running.Values)
        {
            if (!ReferenceEquals(job.Admission, admission)) continue;
            job.Admission = null;
            tenant.AdmittedUse -= job.Total;
        }

        RelabelWithinQuota(tenant);
        return AdmitWaiting(tenant);
    }

    /// <summary>Every admission known here, admitted or waiting, in the order they were asked for.</summary>
    public IReadOnlyList<AdmissionRecord> Admissions() =>
        _admissions.Values.OrderBy(a => a.Sequence).Select(a => a.ToRecord()).ToList();

    /// <summary>Whether the run has asked for admission here (admitted or waiting) and not withdrawn.</summary>
    public bool HasAdmission(string runId) => _admissions.ContainsKey(runId);

    /// <summary>Whether the run holds an admission (reservation) in this pool.</summary>
    public bool IsAdmitted(string runId) => _admissions.TryGetValue(runId, out var admission) && admission.Admitted;

    /// <summary>Why a run still waits for admission, in words a user can act on; <see cref="PendingReasonKind.NotQueued"/>
    /// when it is admitted or unknown here.</summary>
    public PendingExplanation ExplainAdmission(string runId)
    {
        if (!_admissions.TryGetValue(runId, out var admission))
        {
            return new PendingExplanation(runId, Pool, 0,
                [new PendingReason(PendingReasonKind.NotQueued, $"run {runId} has no admission in pool {Pool}: it runs stepwise, has ended, or is unknown here")]);
        }

        var tenant = admission.Tenant;
        if (admission.Admitted)
        {
            return new PendingExplanation(runId, Pool, 0,
                [new PendingReason(PendingReasonKind.NotQueued, $"run {runId} is admitted in pool {Pool} with {admission.Gpus} GPUs reserved for tenant {tenant.Name}")]);
        }

        var ahead = tenant.AdmissionQueue.TakeWhile(a => !ReferenceEquals(a, admission)).Count(a => a.Gpus <= tenant.Quota.Gpus);
        var reasons = new List<PendingReason>();
        var quota = tenant.Quota.Gpus;
        if (quota <= 0)
        {
            reasons.Add(new PendingReason(PendingReasonKind.Admission,
                $"run {runId} waits for admission: tenant {tenant.Name} has no GPU quota in pool {Pool}, and whole-run admission reserves the run's peak of {admission.Gpus} GPUs against it; give the tenant a quota there or submit the run with stepwise admission"));
        }
        else if (admission.Gpus > quota)
        {
            reasons.Add(new PendingReason(PendingReasonKind.Admission,
                $"run {runId} waits for admission: it needs {admission.Gpus} GPUs at its peak but tenant {tenant.Name}'s quota in pool {Pool} is {quota}; raise the quota or submit the run with stepwise admission"));
        }
        else
        {
            reasons.Add(new PendingReason(PendingReasonKind.Admission,
                $"run {runId} waits for admission: tenant {tenant.Name} has {tenant.Reserved} of {quota} GPUs reserved in pool {Pool} and needs {admission.Gpus}"
                + (StepwiseHeld(tenant) > 0 ? $"; its other steps hold {StepwiseHeld(tenant)} and it may not borrow" : "")));
        }

        if (ahead > 0)
        {
            reasons.Add(new PendingReason(PendingReasonKind.QueuedBehind,
                $"{ahead} {(ahead == 1 ? "run" : "runs")} of tenant {tenant.Name} {(ahead == 1 ? "waits" : "wait")} for admission ahead of it"));
        }

        return new PendingExplanation(runId, Pool, ahead, reasons);
    }

    /// <summary>Admits the tenant's waiting admissions in order while they fit; one that does not fit holds up those
    /// behind it (strict FIFO), except one that could never fit the quota as it stands.</summary>
    private List<string> AdmitWaiting(TenantState tenant)
    {
        var admitted = new List<string>();
        foreach (var admission in tenant.AdmissionQueue.ToList())
        {
            if (admission.Gpus > 0 && admission.Gpus > tenant.Quota.Gpus) continue;
            if (admission.Gpus > 0 && tenant.Reserved + admission.Gpus + StepwiseHeld(tenant) > tenant.Quota.Gpus) break;
            tenant.AdmissionQueue.Remove(admission);
            Reserve(admission);
            admitted.Add(admission.RunId);
        }

        return admitted;
    }

    /// <summary>GPUs a tenant that may not borrow holds outside its admissions. Its reservation must leave room for them:
    /// demoting them to borrowing (as for a tenant that may borrow) would let it hold more than its quota. Zero for a
    /// tenant that may borrow.</summary>
    private static int StepwiseHeld(TenantState tenant) => tenant.MayBorrow ? 0 : Math.Max(0, tenant.Used.Gpus - tenant.AdmittedUse.Gpus);

    private void Reserve(RunAdmission admission)
    {
        admission.Admitted = true;
        var tenant = admission.Tenant;
        tenant.Reserved += admission.Gpus;
        DemoteBeyondOpenQuota(tenant);
    }

    /// <summary>After a reservation, the tenant's other jobs placed within quota may hold more than the quota minus the
    /// reservations: the latest started of them count as borrowing from then on, so the admitted run can reclaim them.</summary>
    private void DemoteBeyondOpenQuota(TenantState tenant)
    {
        var excess = tenant.WithinQuota.Gpus - tenant.AdmittedUse.Gpus - Math.Max(0, tenant.Quota.Gpus - tenant.Reserved);
        if (excess <= 0) return;
        var latestFirst = _running.Values
            .Where(j => j.Tenant == tenant && !j.Borrowed && j.Admission is null && j.Total.Gpus > 0)
            .OrderByDescending(j => j.Since).ThenByDescending(j => j.Sequence);
        foreach (var job in latestFirst)
        {
            if (excess <= 0) break;
            job.Borrowed = true;
            tenant.WithinQuota -= job.Total;
            tenant.Borrowing.Add(job);
            excess -= job.Total.Gpus;
        }
    }

    /// <summary>Whether a job is within quota now, and the admitted run it is charged to (null for a stepwise job, or an
    /// admitted job past its run's reservation, which is judged like a stepwise one).</summary>
    private (bool WithinQuota, RunAdmission? Admission) QuotaFor(TenantState tenant, JobRequest request, Resources total)
    {
        if (request.AdmittedRun is { } runId && _admissions.TryGetValue(runId, out var admission) && admission.Admitted
            && admission.Tenant == tenant && admission.PlacedGpus + total.Gpus <= admission.Gpus)
        {
            return (true, admission);
        }

        return (tenant.FitsOpenQuota(total), null);
    }

    /// <summary>After a configuration change: waiting admissions that a larger quota now lets in.</summary>
    private List<string>? RecheckAdmissions()
    {
        if (!_admissionRecheck) return null;
        _admissionRecheck = false;
        List<string>? admitted = null;
        foreach (var tenant in _tenants.Values)
        {
            if (tenant.AdmissionQueue.Count == 0) continue;
            (admitted ??= []).AddRange(AdmitWaiting(tenant));
        }

        return admitted is { Count: > 0 } ? admitted : null;
    }

    /// <summary>Whether a running job is counted as borrowing now (tests check the labels against the quotas).</summary>
    internal bool IsBorrowing(string jobId) => _running.TryGetValue(jobId, out var job) && job.Borrowed;

    /// <summary>Whether a running job is charged to an admitted run's reservation now.</summary>
    internal bool IsChargedToAdmission(string jobId) => _running.TryGetValue(jobId, out var job) && job.Admission is not null;
}
