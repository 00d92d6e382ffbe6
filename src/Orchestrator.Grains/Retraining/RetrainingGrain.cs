using Microsoft.Extensions.Logging;

using Orchestrator.Core.Retraining;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Pipelines;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Scheduling;

namespace Orchestrator.Grains.Retraining;

/// <summary>One model's retraining. The pure <see cref="RetrainingTracker"/> decides; this grain stores its state, asks
/// the budget, submits the run, and when the run ends gates the version it registered and promotes it.</summary>
public sealed partial class RetrainingGrain(
    [PersistentState("retraining")] IPersistentState<RetrainingGrainState> state,
    TimeProvider time,
    ILogger<RetrainingGrain> logger) : Grain, IRetrainingGrain
{
    /// <summary>Retrainings kept in the history.</summary>
    public const int HistoryLimit = 50;

    /// <summary>Who the audit trail and the runs name as the actor of what this grain does by itself.</summary>
    public const string Actor = "retraining";

    /// <summary>The run label that names the model a retraining run retrains (<c>tenant/model</c>); the run tells that
    /// model's grain when it ends.</summary>
    public const string RunLabel = "orch.retraining";

    /// <summary>How often the grain acts on the clock and reconciles.</summary>
    public static readonly TimeSpan WakePeriod = TimeSpan.FromSeconds(30);

    private RetrainingTracker? _tracker;
    private IGrainTimer? _timer;

    private string Key => this.GetPrimaryKeyString();

    private (string Tenant, string Model) Name
    {
        get
        {
            var slash = Key.IndexOf('/', StringComparison.Ordinal);
            return (Key[..slash], Key[(slash + 1)..]);
        }
    }

    private RetrainingState? Tracked => state.State.Tracker;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Policy is { } policy) _tracker = new RetrainingTracker(policy, time.GetUtcNow(), state.State.Tracker);
        KeepTimer();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<RetrainingStatus> SetPolicyAsync(RetrainingPolicy policy, string reason, string actor)
    {
        var errors = RetrainingPolicyValidator.Validate(policy, "policy");
        if (errors.Count > 0) throw OrchestratorException.Invalid(errors[0].Field, errors[0].Message);
        var (tenant, model) = Name;
        await GrainFactory.GetGrain<IModelGrain>(ModelGrain.KeyOf(tenant, model)).GetAsync();
        try
        {
            await GrainFactory.GetGrain<IPipelineGrain>(PipelineGrain.KeyOf(policy.Tenant, policy.Pipeline)).GetVersionAsync("latest");
        }
        catch (OrchestratorException e) when (e.Kind == ErrorKind.NotFound)
        {
            throw OrchestratorException.Invalid("policy.pipeline",
                $"pipeline {policy.Pipeline} does not exist in tenant {policy.Tenant}: create it first (`orch pipeline create -f pipeline.yaml`), or name another");
        }

        if (policy.PriorityClass.Length > 0) await PriorityClasses.ResolveAsync(GrainFactory, policy.PriorityClass, "policy.priority_class");

        var now = time.GetUtcNow();
        // The streaks and a retraining in progress carry over; a new cron starts from now.
        var kept = Tracked is { } tracked ? tracked with { NextScheduled = policy.Cron.Length > 0 ? CronSchedule.Parse(policy.Cron).Next(now) : null } : null;
        state.State.Policy = policy;
        state.State.Revision++;
        _tracker = new RetrainingTracker(policy, now, kept);
        state.State.Tracker = _tracker.Snapshot;
        await state.WriteStateAsync();
        await Budget.EnrollAsync(Key, true);
        await AuditAsync(ModelAuditAction.RetrainingPolicySet, 0, $"revision {state.State.Revision}: pipeline {policy.Pipeline} in tenant {policy.Tenant}", reason, actor, quiet: true);
        KeepTimer();
        return Status(null);
    }

    /// <inheritdoc />
    public async Task<RetrainingStatus> RemovePolicyAsync(string reason, string actor)
    {
        if (state.State.Policy is null)
            throw OrchestratorException.NotFound($"model {Name.Model} has no retraining policy; set one with `orch models retraining set {Name.Model} -f policy.yaml`");
        state.State.Policy = null;
        state.State.Revision++;
        if (Tracked is { Phase: RetrainingPhase.Wanted })
        {
            _tracker!.Abandon();
            await Budget.ReleaseAsync(Key);
            if (Current is { Outcome: RetrainingOutcome.Waiting } waiting)
            {
                waiting.Outcome = RetrainingOutcome.Refused;
                waiting.Message = "the policy was removed before the budget granted the run";
            }
        }

        await state.WriteStateAsync();
        // No more triggers; a running retraining still ends (RunFinishedAsync rebuilds a tracker for it).
        _tracker = null;
        await AuditAsync(ModelAuditAction.RetrainingPolicySet, 0, $"removed (revision {state.State.Revision})", reason, actor, quiet: true);
        // A running retraining still ends through this grain: stay enrolled until it has.
        if (Tracked is not { Phase: RetrainingPhase.Running }) await Budget.EnrollAsync(Key, false);
        KeepTimer();
        return Status(null);
    }

    /// <inheritdoc />
    public async Task<RetrainingStatus> GetAsync()
    {
        var standing = Tracked is { Phase: RetrainingPhase.Wanted } ? (await Budget.AnswerAsync(Key)).Reason : "";
        return Status(standing);
    }

    /// <inheritdoc />
    public async Task<RetrainingStatus> TriggerAsync(string reason, string actor)
    {
        if (_tracker is null)
            throw OrchestratorException.Precondition(
                $"model {Name.Model} has no retraining policy, so there is no pipeline to run: set one with `orch models retraining set {Name.Model} -f policy.yaml`");
        var decision = _tracker.OnManual(actor, reason, time.GetUtcNow());
        await ActAsync(decision);
        if (decision.Action == RetrainingAction.Recorded) throw OrchestratorException.Precondition(decision.Message);
        return await GetAsync();
    }

    /// <inheritdoc />
    public async Task OnWindowsAsync(string deployment, List<WindowOutcome> windows)
    {
        if (_tracker is null || state.State.Policy is not { } policy || policy.Deployment != deployment) return;
        foreach (var window in windows) await ActAsync(_tracker.OnWindow(window));
        // Streaks move with every window even when nothing fires; store them with the last act or here.
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task OnBaselineChangedAsync(string deployment, int version)
    {
        if (_tracker is null || state.State.Policy is not { } policy || policy.Deployment != deployment) return;
        var dropped = Tracked?.Recorded;
        _tracker.BaselineChanged();
        state.State.Tracker = _tracker.Snapshot;
        await state.WriteStateAsync();
        if (dropped is not null && Tracked?.Recorded is null)
            await AuditAsync(ModelAuditAction.RetrainingTriggered, version, $"recorded {Describe(dropped.Kind)} dropped: it measured the model version {version} replaced", "", Actor);
    }

    /// <inheritdoc />
    public async Task GrantedAsync()
    {
        if (Tracked is not { Phase: RetrainingPhase.Wanted })
        {
            // Granted for a retraining no longer wanted (the policy went, or a restart lost the race): give it back.
            if (Tracked is not { Phase: RetrainingPhase.Running }) await Budget.ReleaseAsync(Key);
            return;
        }

        await SubmitAsync();
    }

    /// <inheritdoc />
    public async Task WakeAsync()
    {
        var phase = Tracked?.Phase;
        if (phase == RetrainingPhase.Running && Tracked!.Run is { } runId)
        {
            var run = await GrainFactory.GetGrain<IRunGrain>(runId).GetAsync(includeEvents: false);
            if (run.State.IsTerminal()) await RunFinishedAsync(runId, run.State == RunState.Succeeded);
        }
        else if (phase == RetrainingPhase.Wanted && state.State.Policy is { } policy)
        {
            if ((await Budget.RequestAsync(Key, policy.Tenant)).Granted) await SubmitAsync();
        }

        if (_tracker is not null) await ActAsync(_tracker.OnClock(time.GetUtcNow()));
    }

    /// <summary>Carries out a decision: a submit asks the budget (and submits when granted), a recorded trigger is audited.</summary>
    private async Task ActAsync(RetrainingDecision decision)
    {
        switch (decision.Action)
        {
            case RetrainingAction.Submit:
                var trigger = decision.Trigger!;
                state.State.Fired++;
                Keep(new RetrainingRecord { Number = state.State.Fired, Trigger = trigger, Message = "waiting for the retraining budget" });
                state.State.Tracker = _tracker!.Snapshot;
                await state.WriteStateAsync();
                LogTriggered(Key, trigger.Kind, trigger.Reason);
                await AuditAsync(ModelAuditAction.RetrainingTriggered, 0, $"{Describe(trigger.Kind)}: {trigger.Reason}", "", Actor);
                var answer = await Budget.RequestAsync(Key, state.State.Policy!.Tenant);
                if (answer.Granted) await SubmitAsync();
                else
                {
                    Current!.Message = answer.Reason;
                    await state.WriteStateAsync();
                }

                break;
            case RetrainingAction.Recorded:
                state.State.Tracker = _tracker!.Snapshot;
                await state.WriteStateAsync();
                await AuditAsync(ModelAuditAction.RetrainingTriggered, 0, $"{Describe(decision.Trigger!.Kind)} recorded, not duplicated: {decision.Trigger.Reason} ({decision.Message})", "", Actor);
                break;
        }

        KeepTimer();
    }

    /// <summary>Submits the run of the retraining the budget granted. The request id is the retraining's number, so a
    /// submission repeated after a restart lands on the same run.</summary>
    private async Task SubmitAsync()
    {
        var policy = state.State.Policy!;
        var record = Current!;
        var (tenant, model) = Name;
        var requestId = $"retraining/{tenant}/{model}/{record.Number}";
        string runId;
        try
        {
            var priority = policy.PriorityClass.Length > 0 ? await PriorityClasses.ResolveAsync(GrainFactory, policy.PriorityClass, "policy.priority_class") : 0;
            runId = RunIds.FromRequest(policy.Tenant, requestId);
            await GrainFactory.GetGrain<IRunGrain>(runId).SubmitAsync(new SubmitRun
            {
                Tenant = policy.Tenant, Pipeline = policy.Pipeline, Arguments = policy.Arguments(model, record.Trigger), Priority = priority,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [RunLabel] = Key, ["orch.retraining-trigger"] = record.Trigger.Kind.ToString().ToLowerInvariant(),
                },
                RequestId = requestId, SubmittedBy = Actor,
                // A retraining retrains: a cached step would hand back the model it is meant to replace.
                CacheDisabled = true,
            });
        }
        catch (OrchestratorException e)
        {
            _tracker!.Abandon();
            record.Outcome = RetrainingOutcome.Refused;
            record.Message = $"the run could not be submitted: {e.Message}";
            Count(record, "refused");
            state.State.Tracker = _tracker.Snapshot;
            await state.WriteStateAsync();
            await Budget.ReleaseAsync(Key);
            await AuditAsync(ModelAuditAction.RetrainingFinished, 0, record.Message, "", Actor);
            return;
        }

        var now = time.GetUtcNow();
        _tracker!.Started(runId, now);
        record.Outcome = RetrainingOutcome.Running;
        record.RunId = runId;
        record.SubmittedAt = now;
        record.Message = $"run {runId} of pipeline {policy.Pipeline} submitted";
        state.State.Tracker = _tracker.Snapshot;
        await state.WriteStateAsync();
        LogSubmitted(Key, runId);
        Count(record, "submitted");
        await AuditAsync(ModelAuditAction.RetrainingStarted, 0, $"run {runId} of pipeline {policy.Pipeline} ({Describe(record.Trigger.Kind)})", "", Actor);
    }

    private void Count(RetrainingRecord record, string outcome) =>
        Metrics.OrchestratorMetrics.RetrainingRuns.WithLabels(state.State.Policy?.Tenant ?? Name.Tenant, record.Trigger.Kind.ToString().ToLowerInvariant(), outcome).Inc();

    private IRetrainingBudgetGrain Budget => GrainFactory.GetGrain<IRetrainingBudgetGrain>(RetrainingBudgetGrain.Key);

    /// <summary>The retraining in progress (waiting or running), if any.</summary>
    private RetrainingRecord? Current => state.State.History.LastOrDefault(r => r.Outcome is RetrainingOutcome.Waiting or RetrainingOutcome.Running);

    /// <summary>The policy, or when it was removed while a run went on, the one that started it (for the gates and promotion).</summary>
    private RetrainingPolicy LastPolicy => state.State.Policy ?? new RetrainingPolicy { Pipeline = "", AutoPromote = false };

    private void Keep(RetrainingRecord record)
    {
        var history = state.State.History;
        history.Add(record);
        if (history.Count > HistoryLimit) history.RemoveRange(0, history.Count - HistoryLimit);
    }

    private async Task AuditAsync(ModelAuditAction action, int version, string detail, string reason, string actor, bool quiet = false)
    {
        var (tenant, model) = Name;
        try
        {
            await GrainFactory.GetGrain<IModelGrain>(ModelGrain.KeyOf(tenant, model)).RecordAsync(action, version, detail, reason, actor);
        }
        catch (OrchestratorException) when (quiet)
        {
        }
    }

    /// <summary>The timer runs (and keeps the grain active) while there is something to do in time or to reconcile.</summary>
    private void KeepTimer()
    {
        var needed = state.State.Policy is not null || Tracked is { Phase: RetrainingPhase.Wanted or RetrainingPhase.Running };
        if (needed && _timer is null)
            _timer = this.RegisterGrainTimer(_ => WakeAsync(), new GrainTimerCreationOptions { DueTime = WakePeriod, Period = WakePeriod, KeepAlive = true });
        else if (!needed && _timer is not null)
        {
            _timer.Dispose();
            _timer = null;
        }
    }

    private RetrainingStatus Status(string? standing)
    {
        var (tenant, model) = Name;
        DateTimeOffset? cooldown = Tracked is { Phase: RetrainingPhase.Cooling, LastFinished: { } finished } && state.State.Policy is { } policy
            ? finished + policy.Cooldown : null;
        return new RetrainingStatus
        {
            Tenant = tenant, Model = model, Policy = state.State.Policy, Revision = state.State.Revision, State = Tracked,
            CooldownUntil = cooldown, BudgetStanding = standing ?? "", History = [.. state.State.History.AsEnumerable().Reverse()],
        };
    }

    private static string Describe(TriggerKind kind) => kind switch
    {
        TriggerKind.Drift => "drift trigger",
        TriggerKind.Performance => "performance trigger",
        TriggerKind.Schedule => "schedule",
        _ => "manual trigger",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining of {Model} triggered ({Kind}): {Reason}")]
    private partial void LogTriggered(string model, TriggerKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining of {Model}: run {RunId} submitted")]
    private partial void LogSubmitted(string model, string runId);
}
