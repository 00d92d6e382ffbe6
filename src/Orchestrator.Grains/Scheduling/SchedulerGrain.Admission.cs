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

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Pool}: run {Run} ({Gpus} GPUs at its peak) {Outcome}")]
    private partial void LogAdmission(string pool, string run, int gpus, string outcome);
}
