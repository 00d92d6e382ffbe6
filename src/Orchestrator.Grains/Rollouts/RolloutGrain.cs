using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Rollouts;
using Orchestrator.Grains.Models;

namespace Orchestrator.Grains.Rollouts;

/// <summary>Runs a deployment's rollout. Decisions are Core's <see cref="RolloutTracker"/>; this grain moves the model's
/// aliases, writes the audit entries, and keeps the progress only after those effects succeeded, so a failed alias
/// change leaves the rollout where it was and the next tick tries again.</summary>
public sealed class RolloutGrain(
    [PersistentState("rollout")] IPersistentState<RolloutState> state,
    TimeProvider time) : Grain, IRolloutGrain
{
    /// <summary>How often the grain checks whether a step's bake time has passed.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(10);

    /// <summary>The actor named in audit entries for decisions the rollout made by itself.</summary>
    public const string SystemActor = "orchestrator";

    private const string ChampionAlias = "champion";
    private const string ChallengerAlias = "challenger";

    private (string Tenant, string Model, string Deployment) Key => ModelDeployments.Parse(this.GetPrimaryKeyString());

    private IRolloutDirectoryGrain Directory => GrainFactory.GetGrain<IRolloutDirectoryGrain>(RolloutDirectoryGrain.Key);

    private IModelGrain Model => GrainFactory.GetGrain<IModelGrain>(ModelGrain.KeyOf(Key.Tenant, Key.Model));

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        KeepTimer();
        return Task.CompletedTask;
    }

    private IGrainTimer? _timer;

    /// <summary>The timer runs, and keeps the grain active, only while a rollout progresses: bake times pass without
    /// traffic, and the many idle deployments are not held in memory.</summary>
    private void KeepTimer()
    {
        var progressing = state.State.Progress.Phase == RolloutPhase.Progressing;
        if (progressing && _timer is null)
            _timer = this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions { DueTime = TickInterval, Period = TickInterval, KeepAlive = true });
        else if (!progressing && _timer is not null)
        {
            _timer.Dispose();
            _timer = null;
        }
    }

    /// <inheritdoc />
    public async Task<RolloutProgress> StartAsync(int challengerVersion, RolloutPlan? plan, string reason, string actor)
    {
        var current = state.State.Progress;
        if (current.Phase == RolloutPhase.Progressing)
        {
            throw OrchestratorException.Precondition(
                $"a rollout of version {current.Challenger} is in progress on deployment {Key.Deployment} of model {Key.Model} at {current.CurrentStep!.Percent}%: " +
                "advance it or roll it back (orch models rollout advance|rollback) before starting another");
        }

        if (challengerVersion < 1) throw OrchestratorException.Invalid("version", $"{challengerVersion} is not a version: give the number of a registered version (see `orch models versions {Key.Model}`)");
        RolloutPlan valid;
        try
        {
            valid = RolloutPlanValidator.Validate(plan ?? state.State.Policy ?? RolloutPlan.Default);
        }
        catch (ValidationException e)
        {
            throw OrchestratorException.From(e);
        }

        var model = await Model.GetAsync();
        if (!model.Aliases.TryGetValue(ChampionAlias, out var champion))
        {
            throw OrchestratorException.Precondition(
                $"model {Key.Model} has no champion to roll out against: set one first (orch models alias set {Key.Model} champion VERSION)");
        }

        if (model.Versions.All(v => v.Record.Version != challengerVersion))
            throw new OrchestratorException(ErrorKind.NotFound, $"model {Key.Model} has no version {challengerVersion}; its latest is {model.Versions[0].Record.Version}", "version");
        if (challengerVersion == champion)
            throw OrchestratorException.Precondition($"version {challengerVersion} is already the champion of model {Key.Model}: roll out another version");

        var tracker = RolloutTracker.Start(valid, champion, challengerVersion, time.GetUtcNow());
        await Model.SetAliasAsync(ChallengerAlias, Number(challengerVersion), reason, actor);
        await Model.RecordAsync(ModelAuditAction.RolloutStarted, challengerVersion,
            $"deployment {Key.Deployment}, against champion {champion}, steps {valid.Describe()}", reason, actor);
        return await KeepAsync(tracker.Progress);
    }

    /// <inheritdoc />
    public async Task<RolloutProgress> ObserveAsync(RolloutObservation observation)
    {
        var tracker = new RolloutTracker(state.State.Progress);
        var decision = tracker.OnObservation(observation, time.GetUtcNow());
        if (tracker.Progress == state.State.Progress) return tracker.Progress;
        await ApplyAsync(decision, "", SystemActor);
        return await KeepAsync(tracker.Progress);
    }

    /// <inheritdoc />
    public async Task<RolloutProgress> AdvanceAsync(string reason, string actor)
    {
        var tracker = new RolloutTracker(RequireProgressing("advance"));
        var decision = tracker.Advance(time.GetUtcNow(), $"advanced by {actor}");
        await ApplyAsync(decision, reason, actor);
        return await KeepAsync(tracker.Progress);
    }

    /// <inheritdoc />
    public async Task<RolloutProgress> RollBackAsync(string reason, string actor)
    {
        var tracker = new RolloutTracker(RequireProgressing("roll back"));
        var decision = tracker.RollBack(reason.Length == 0 ? $"rolled back by {actor}" : $"rolled back by {actor}: {reason}", time.GetUtcNow());
        await ApplyAsync(decision, reason, actor);
        return await KeepAsync(tracker.Progress);
    }

    /// <inheritdoc />
    public Task<RolloutProgress> GetAsync() => Task.FromResult(state.State.Progress);

    /// <inheritdoc />
    public async Task<TrafficSplit> GetTrafficSplitAsync()
    {
        var progress = state.State.Progress;
        if (progress.Phase == RolloutPhase.Progressing) return progress.Split(progress.Champion);
        var model = await Model.GetAsync();
        if (!model.Aliases.TryGetValue(ChampionAlias, out var champion))
        {
            throw OrchestratorException.Precondition(
                $"model {Key.Model} has no champion, so there is nothing to route to: set one (orch models alias set {Key.Model} champion VERSION)");
        }

        return progress.Split(champion);
    }

    /// <inheritdoc />
    public async Task<RolloutPlan> SetPolicyAsync(RolloutPlan plan, string reason, string actor)
    {
        RolloutPlan valid;
        try
        {
            valid = RolloutPlanValidator.Validate(plan);
        }
        catch (ValidationException e)
        {
            throw OrchestratorException.From(e);
        }

        var (previous, previousBy) = (state.State.Policy, state.State.PolicySetBy);
        state.State.Policy = valid;
        state.State.PolicySetBy = actor;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.Policy, state.State.PolicySetBy) = (previous, previousBy);
            throw;
        }

        return valid;
    }

    /// <inheritdoc />
    public Task<RolloutPlan> GetPolicyAsync() => Task.FromResult(state.State.Policy ?? RolloutPlan.Default);

    /// <inheritdoc />
    public Task WakeAsync() => TickAsync();

    private async Task TickAsync()
    {
        if (state.State.Progress.Phase != RolloutPhase.Progressing) return;
        var tracker = new RolloutTracker(state.State.Progress);
        var decision = tracker.OnClock(time.GetUtcNow());
        if (decision.Kind == RolloutDecisionKind.None) return;
        await ApplyAsync(decision, "", SystemActor);
        await KeepAsync(tracker.Progress);
    }

    private RolloutProgress RequireProgressing(string what)
    {
        var progress = state.State.Progress;
        if (progress.Phase == RolloutPhase.Progressing) return progress;
        var latest = progress.Phase == RolloutPhase.Idle ? "none has started" : $"the latest one (version {progress.Challenger}) is {Words(progress.Phase)}";
        throw OrchestratorException.Precondition(
            $"deployment {Key.Deployment} of model {Key.Model} has no rollout in progress to {what} ({latest}): start one with orch models rollout start {Key.Model} --version N");
    }

    /// <summary>The decision's effects on the model: aliases and the audit entry.</summary>
    private async Task ApplyAsync(RolloutDecision decision, string reason, string actor)
    {
        var progress = state.State.Progress;
        var challenger = progress.Challenger;
        var why = reason.Length == 0 ? decision.Reason : reason;
        switch (decision.Kind)
        {
            case RolloutDecisionKind.Advance:
                await Model.RecordAsync(ModelAuditAction.RolloutAdvanced, challenger, $"deployment {Key.Deployment}: {decision.Reason}", why, actor);
                break;
            case RolloutDecisionKind.Complete:
                await Model.SetAliasAsync(ChampionAlias, Number(challenger), why, actor);
                await RemoveChallengerAliasAsync(challenger, why, actor);
                await Model.RecordAsync(ModelAuditAction.RolloutCompleted, challenger, $"deployment {Key.Deployment}: {decision.Reason}", why, actor);
                break;
            case RolloutDecisionKind.RollBack:
                await RemoveChallengerAliasAsync(challenger, why, actor);
                await Model.RecordAsync(ModelAuditAction.RolloutRolledBack, challenger, $"deployment {Key.Deployment}: {decision.Reason}", why, actor);
                break;
        }
    }

    private async Task RemoveChallengerAliasAsync(int challenger, string reason, string actor)
    {
        // Someone may have moved or removed the alias by hand meanwhile: leave another version's alias alone.
        var model = await Model.GetAsync();
        if (model.Aliases.TryGetValue(ChallengerAlias, out var current) && current == challenger)
            await Model.RemoveAliasAsync(ChallengerAlias, reason, actor);
    }

    private async Task<RolloutProgress> KeepAsync(RolloutProgress progress)
    {
        var previous = state.State.Progress;
        var was = previous.Phase == RolloutPhase.Progressing;
        var now = progress.Phase == RolloutPhase.Progressing;
        // Listed before it progresses and unlisted after it stops, so a restart in between wakes it (harmlessly) rather than missing it.
        if (now && !was) await Directory.SetProgressingAsync(this.GetPrimaryKeyString(), true);
        state.State.Progress = progress;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Progress = previous;
            throw;
        }

        if (was && !now) await Directory.SetProgressingAsync(this.GetPrimaryKeyString(), false);
        KeepTimer();
        var (tenant, model, deployment) = Key;
        if (progress.Phase == RolloutPhase.Progressing)
            Metrics.OrchestratorMetrics.RolloutChallengerPercent.WithLabels(tenant, model, deployment).Set(progress.CurrentStep!.Percent);
        else Metrics.OrchestratorMetrics.RolloutChallengerPercent.RemoveLabelled(tenant, model, deployment);
        return progress;
    }

    private static string Words(RolloutPhase phase) => phase == RolloutPhase.Completed ? "completed" : "rolled back";

    private static string Number(int version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
