using Microsoft.Extensions.Logging;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Grains.Scheduling;

/// <summary>Whole-run admission in the live system: the core decides, the scheduler's state stores every admission
/// (so a restart keeps reservations and the waiting order), and admitted runs are told so.</summary>
public sealed partial class SchedulerGrain
{
    /// <inheritdoc />
    public async Task<bool> AdmitAsync(string runId, string tenant, int priority, int gpus)
    {
        var known = _core.HasAdmission(runId);
        var admitted = _core.Admit(runId, tenant, priority, gpus);
        if (!known)
        {
            LogAdmission(Pool, runId, gpus, admitted ? "admitted" : "waits");
            await SaveAdmissionsAsync();
        }

        return admitted;
    }

    /// <inheritdoc />
    public async Task WithdrawAsync(string runId)
    {
        if (!_core.HasAdmission(runId)) return;
        var admitted = _core.Withdraw(runId);
        await SaveAdmissionsAsync();
        TellAdmitted(admitted);
        // Freed reservation: the tenant's other jobs may be within quota again, and admitted runs' steps come next.
        if (PassWanted) RequestPass();
    }

    /// <summary>How often admissions are checked against their runs.</summary>
    internal static readonly TimeSpan AdmissionSweepPeriod = TimeSpan.FromSeconds(30);

    /// <summary>Withdraws admissions whose run is over or gone. A run withdraws its own when it ends, but that call can
    /// be lost (the run's silo died between recording the end and calling here); without this its reservation would
    /// hold the tenant's quota for good.</summary>
    /// <remarks>The runs are asked all at once, and answer without waiting for their own work
    /// (<see cref="IRunGrain.GetAdmissionAsync"/> interleaves): a run that is busy queueing its steps here would otherwise
    /// wait for this sweep while the sweep waited for it.</remarks>
    private async Task SweepAdmissionsAsync(CancellationToken cancellationToken)
    {
        var runs = _core.Admissions().Select(a => a.RunId).ToList();
        if (runs.Count == 0) return;
        var over = await Task.WhenAll(runs.Select(IsOverAsync));
        for (var i = 0; i < runs.Count; i++)
        {
            if (over[i] != true || !_core.HasAdmission(runs[i])) continue;
            LogAdmission(Pool, runs[i], 0, "withdrawn: the run is over (its own withdrawal was lost)");
            await WithdrawAsync(runs[i]);
        }
    }

    /// <summary>True when the run is over or does not exist; null when it cannot say now (asked again next sweep).</summary>
    private async Task<bool?> IsOverAsync(string runId)
    {
        try
        {
            return (await GrainFactory.GetGrain<IRunGrain>(runId).GetAdmissionAsync()).Ended;
        }
        catch (OrchestratorException e) when (e.Kind == ErrorKind.NotFound)
        {
            return true;
        }
        catch (Exception e)
        {
            LogSweepFailed(e, Pool, runId);
            return null;
        }
    }

    /// <inheritdoc />
    public Task<PendingExplanation> ExplainAdmissionAsync(string runId) => Task.FromResult(_core.ExplainAdmission(runId));

    /// <summary>Runs that a pass admitted (a larger quota): stored, then told.</summary>
    private async Task OnPassAdmittedAsync(IReadOnlyList<string> admitted)
    {
        if (admitted.Count == 0) return;
        await SaveAdmissionsAsync();
        TellAdmitted(admitted);
    }

    /// <summary>Puts the stored admissions back into a new core, before the nodes' allocations are restored and charged to them.</summary>
    private void RestoreAdmissions()
    {
        foreach (var record in state.State.Admissions) _core.RestoreAdmission(record);
    }

    private Task SaveAdmissionsAsync()
    {
        state.State.Admissions = [.. _core.Admissions()];
        return state.WriteStateAsync();
    }

    private void TellAdmitted(IEnumerable<string> runs)
    {
        foreach (var run in runs)
        {
            LogAdmission(Pool, run, 0, "admitted after waiting");
            GrainFactory.GetGrain<IRunGrain>(run).AdmittedAsync().Ignore();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler {Pool}: could not ask run {Run} whether it still holds its admission")]
    private partial void LogSweepFailed(Exception e, string pool, string run);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Pool}: run {Run} ({Gpus} GPUs at its peak) {Outcome}")]
    private partial void LogAdmission(string pool, string run, int gpus, string outcome);
}
