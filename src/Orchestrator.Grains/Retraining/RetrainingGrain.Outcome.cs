using Orchestrator.Core.Models;
using Orchestrator.Core.Retraining;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Rollouts;

namespace Orchestrator.Grains.Retraining;

/// <summary>When a retraining run ends: the budget place is freed, and the version it registered is gated and promoted.</summary>
public sealed partial class RetrainingGrain
{
    /// <inheritdoc />
    public async Task RunFinishedAsync(string runId, bool succeeded)
    {
        if (Tracked?.Run != runId || _tracker is null && state.State.Tracker is null) return;
        var tracker = _tracker ?? new RetrainingTracker(LastPolicy, time.GetUtcNow(), state.State.Tracker);
        var now = time.GetUtcNow();
        var next = tracker.Finished(runId, succeeded, now);
        var record = state.State.History.LastOrDefault(r => r.RunId == runId);
        if (record is not null)
        {
            record.Outcome = succeeded ? RetrainingOutcome.Succeeded : RetrainingOutcome.Failed;
            record.FinishedAt = now;
            record.Message = succeeded ? "the run succeeded" : "the run did not succeed; the model keeps its champion";
            Count(record, succeeded ? "succeeded" : "failed");
        }

        state.State.Tracker = tracker.Snapshot;
        await state.WriteStateAsync();
        await Budget.ReleaseAsync(Key);
        await AuditAsync(ModelAuditAction.RetrainingFinished, 0, $"run {runId} {(succeeded ? "succeeded" : "did not succeed")}", "", Actor);
        if (state.State.Policy is null) await Budget.EnrollAsync(Key, false);
        if (succeeded && record is not null) await GateAndPromoteAsync(record);
        if (_tracker is not null) await ActAsync(next);
    }

    /// <summary>The version the run registered goes through the gates; if it passes and the policy says so, it is promoted.</summary>
    private async Task GateAndPromoteAsync(RetrainingRecord record)
    {
        var (tenant, model) = Name;
        var registry = GrainFactory.GetGrain<IModelGrain>(ModelGrain.KeyOf(tenant, model));
        var page = await registry.ListVersionsAsync(new ModelVersionFilter { RunId = record.RunId }, 1, 0);
        if (page.Versions.Count == 0)
        {
            record.Message = $"run {record.RunId} succeeded but registered no version of model {model}: give the pipeline a register step for it";
            await state.WriteStateAsync();
            return;
        }

        record.Version = page.Versions[0].Record.Version;
        var reason = $"retraining run {record.RunId}";
        var evaluation = await registry.EvaluateGatesAsync(record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), reason, Actor);
        record.GatesPassed = evaluation.Passed;
        if (!evaluation.Passed)
        {
            var failed = evaluation.Results.Where(r => !r.Passed).Select(r => r.Message);
            record.Message = $"version {record.Version} failed the gates: {string.Join("; ", failed)}";
        }
        else if (LastPolicy.AutoPromote)
        {
            record.Message = await PromoteAsync(record.Version, reason);
            record.Promoted = !record.Message.StartsWith("not promoted", StringComparison.Ordinal);
        }
        else record.Message = $"version {record.Version} passed the gates; the policy does not promote by itself (`orch models rollout start {model} --version {record.Version}`)";

        await state.WriteStateAsync();
    }

    /// <summary>Makes the version challenger and starts its rollout on the policy's deployment. Returns what happened, in words.</summary>
    private async Task<string> PromoteAsync(int version, string reason)
    {
        var (tenant, model) = Name;
        var deployment = state.State.Policy?.Deployment ?? ModelDeployments.Default;
        try
        {
            var rollout = await GrainFactory.GetGrain<IRolloutGrain>(ModelDeployments.Key(tenant, model, deployment)).StartAsync(version, null, reason, Actor);
            return $"version {version} passed the gates, is challenger, and its rollout started on deployment {deployment} at {rollout.Plan!.Steps[0].Percent}%";
        }
        catch (OrchestratorException e)
        {
            return $"not promoted: {e.Message}";
        }
    }
}
