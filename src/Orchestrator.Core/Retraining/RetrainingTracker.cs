namespace Orchestrator.Core.Retraining;

/// <summary>What fired a retraining.</summary>
public enum TriggerKind
{
    /// <summary>Dataset drift in enough consecutive windows.</summary>
    Drift = 1,
    /// <summary>A live metric worse than its threshold in enough consecutive windows.</summary>
    Performance,
    /// <summary>The policy's cron schedule.</summary>
    Schedule,
    /// <summary>Someone asked.</summary>
    Manual,
}

/// <summary>A trigger: its kind, why, and when.</summary>
/// <param name="Kind">What fired.</param>
/// <param name="Reason">In words, e.g. "dataset drift in 3 consecutive windows (60% of features drifted)".</param>
/// <param name="At">When it fired.</param>
public sealed record RetrainingTrigger(TriggerKind Kind, string Reason, DateTimeOffset At);

/// <summary>One closed monitoring window as the retraining policy sees it.</summary>
/// <param name="End">When the window closed.</param>
/// <param name="DatasetDrift">The window's drift decision for the whole dataset.</param>
/// <param name="DriftedShare">Share of features that drifted (for the reason text).</param>
/// <param name="Metrics">Live metrics computed in the window (only those with labels).</param>
public sealed record WindowOutcome(DateTimeOffset End, bool DatasetDrift, double DriftedShare, IReadOnlyDictionary<string, double> Metrics);

/// <summary>What the caller does next.</summary>
public enum RetrainingAction
{
    /// <summary>Nothing.</summary>
    None,
    /// <summary>Ask the retraining budget for a run of the policy's pipeline, then report <see cref="RetrainingTracker.Started"/>.</summary>
    Submit,
    /// <summary>A trigger fired while a retraining was already wanted, running or cooling down: it is recorded (for the
    /// audit trail) and not duplicated.</summary>
    Recorded,
}

/// <summary>A decision and the trigger behind it.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Trigger">The trigger, or null for <see cref="RetrainingAction.None"/>.</param>
/// <param name="Message">Why, in words a user can act on.</param>
public sealed record RetrainingDecision(RetrainingAction Action, RetrainingTrigger? Trigger, string Message)
{
    /// <summary>Nothing to do.</summary>
    public static RetrainingDecision Nothing { get; } = new(RetrainingAction.None, null, "");
}

/// <summary>The retraining state of one model: the streaks that count towards a trigger, the retraining wanted or
/// running (at most one at a time), the cooldown after it, and a trigger recorded meanwhile. Pure: every input carries
/// its time; the caller persists <see cref="Snapshot"/> and acts on the decisions.</summary>
/// <remarks>
/// A trigger while a retraining is wanted or running is recorded, not duplicated. A trigger during the cooldown is
/// recorded and acted on when the cooldown ends; manual triggers skip the cooldown (a person asked), never the
/// one-at-a-time rule. When a retraining succeeds, drift and performance triggers recorded during it are dropped: they
/// measured the model it replaces. After a failed one they stand, and fire once the cooldown is over.
/// </remarks>
public sealed class RetrainingTracker
{
    private readonly RetrainingPolicy _policy;
    private readonly CronSchedule? _cron;
    private readonly RetrainingState _state;

    /// <summary>A tracker for <paramref name="policy"/> from a stored state (or a fresh one at <paramref name="now"/>).</summary>
    public RetrainingTracker(RetrainingPolicy policy, DateTimeOffset now, RetrainingState? state = null)
    {
        _policy = policy;
        _cron = policy.Cron.Length > 0 ? CronSchedule.Parse(policy.Cron) : null;
        _state = state ?? new RetrainingState { NextScheduled = _cron?.Next(now) };
    }

    /// <summary>What to store.</summary>
    public RetrainingState Snapshot => _state;

    /// <summary>When <see cref="OnClock"/> has something to do (a cron time, or the end of a cooldown with a recorded
    /// trigger); null when nothing is pending in time.</summary>
    public DateTimeOffset? NextWakeUp
    {
        get
        {
            DateTimeOffset? cooldownEnd = _state.Recorded is not null && _state.Phase == RetrainingPhase.Cooling ? CooldownEnd : null;
            return Min(_state.NextScheduled, cooldownEnd);
        }
    }

    private DateTimeOffset CooldownEnd => (_state.LastFinished ?? DateTimeOffset.MinValue) + _policy.Cooldown;

    /// <summary>A monitoring window closed: counts drift and performance streaks, and fires when one reaches its length.</summary>
    public RetrainingDecision OnWindow(WindowOutcome window)
    {
        var drift = _state.DriftStreak = window.DatasetDrift ? _state.DriftStreak + 1 : 0;
        var worse = 0;
        if (_policy.Performance is { } performance)
        {
            worse = _state.PerformanceStreak = window.Metrics.TryGetValue(performance.Metric, out var value) && performance.IsWorse(value)
                ? _state.PerformanceStreak + 1
                : window.Metrics.ContainsKey(performance.Metric) ? 0 : _state.PerformanceStreak;
        }

        if (_policy.DriftWindows > 0 && drift >= _policy.DriftWindows)
        {
            _state.DriftStreak = 0;
            return Fire(new RetrainingTrigger(TriggerKind.Drift, FormattableString.Invariant(
                $"dataset drift in {drift} consecutive windows ({Math.Round(window.DriftedShare * 100)}% of features drifted in the last)"), window.End), window.End);
        }

        if (_policy.Performance is { } p && worse >= p.Windows)
        {
            _state.PerformanceStreak = 0;
            var bound = p.HigherIsBetter ? "below" : "above";
            return Fire(new RetrainingTrigger(TriggerKind.Performance, FormattableString.Invariant(
                $"live {p.Metric} {window.Metrics[p.Metric]:G4} is {bound} {p.Threshold:G4} for {worse} window(s)"), window.End), window.End);
        }

        return RetrainingDecision.Nothing;
    }

    /// <summary>Someone asked for a retraining.</summary>
    public RetrainingDecision OnManual(string who, string reason, DateTimeOffset now) =>
        Fire(new RetrainingTrigger(TriggerKind.Manual, string.IsNullOrWhiteSpace(reason) ? $"asked by {who}" : $"asked by {who}: {reason}", now), now);

    /// <summary>Time passed: a cron time came, or a cooldown with a recorded trigger ended.</summary>
    public RetrainingDecision OnClock(DateTimeOffset now)
    {
        if (_state.Phase == RetrainingPhase.Cooling && now >= CooldownEnd)
        {
            _state.Phase = RetrainingPhase.Idle;
            if (_state.Recorded is { } recorded)
            {
                _state.Recorded = null;
                return Fire(recorded with { Reason = $"{recorded.Reason} (recorded during the cooldown)" }, now);
            }
        }

        if (_cron is not null && _state.NextScheduled is { } due && now >= due)
        {
            _state.NextScheduled = _cron.Next(now);
            return Fire(new RetrainingTrigger(TriggerKind.Schedule, $"scheduled by cron \"{_policy.Cron}\"", due), now);
        }

        return RetrainingDecision.Nothing;
    }

    /// <summary>The monitor now compares traffic with another version's baseline (a rollout made it champion): streaks
    /// and drift or performance triggers recorded so far measured the model it replaced, and are dropped.</summary>
    public void BaselineChanged()
    {
        _state.DriftStreak = 0;
        _state.PerformanceStreak = 0;
        if (_state.Recorded is { Kind: TriggerKind.Drift or TriggerKind.Performance }) _state.Recorded = null;
    }

    /// <summary>The budget granted the retraining and its run was submitted.</summary>
    public void Started(string runId, DateTimeOffset now)
    {
        _state.Phase = RetrainingPhase.Running;
        _state.Run = runId;
        _state.RunStarted = now;
    }

    /// <summary>A wanted retraining will not run (its submission was refused, or the model's policy changed): back to
    /// idle; a recorded trigger stays recorded.</summary>
    public void Abandon()
    {
        if (_state.Phase == RetrainingPhase.Wanted) _state.Phase = RetrainingPhase.Idle;
    }

    /// <summary>The retraining run ended. Returns what to do next (a recorded trigger whose time has come).</summary>
    public RetrainingDecision Finished(string runId, bool succeeded, DateTimeOffset now)
    {
        if (_state.Run != runId) return RetrainingDecision.Nothing;
        _state.Run = null;
        _state.LastRun = runId;
        _state.LastFinished = now;
        _state.Phase = RetrainingPhase.Cooling;
        _state.DriftStreak = 0;
        _state.PerformanceStreak = 0;
        // What drift and performance measured was the model this run replaces.
        if (succeeded && _state.Recorded is { Kind: TriggerKind.Drift or TriggerKind.Performance }) _state.Recorded = null;
        return _state.Recorded is { Kind: TriggerKind.Manual } ? OnClockManual(now) : OnClock(now);
    }

    /// <summary>A manual trigger recorded while a retraining ran goes as soon as it ended.</summary>
    private RetrainingDecision OnClockManual(DateTimeOffset now)
    {
        var recorded = _state.Recorded!;
        _state.Recorded = null;
        _state.Phase = RetrainingPhase.Idle;
        return Fire(recorded with { Reason = $"{recorded.Reason} (recorded while {_state.LastRun ?? "a retraining"} ran)" }, now);
    }

    private RetrainingDecision Fire(RetrainingTrigger trigger, DateTimeOffset now)
    {
        switch (_state.Phase)
        {
            case RetrainingPhase.Wanted or RetrainingPhase.Running:
                // One at a time: keep the first recorded trigger, except that a manual one wins (it skips the cooldown).
                if (_state.Recorded is null || trigger.Kind == TriggerKind.Manual) _state.Recorded = trigger;
                return new RetrainingDecision(RetrainingAction.Recorded, trigger, _state.Phase == RetrainingPhase.Running
                    ? $"run {_state.Run} is retraining this model; this trigger is recorded, not duplicated"
                    : "a retraining is already waiting for the budget; this trigger is recorded, not duplicated");
            case RetrainingPhase.Cooling when trigger.Kind != TriggerKind.Manual && now < CooldownEnd:
                if (_state.Recorded is null) _state.Recorded = trigger;
                return new RetrainingDecision(RetrainingAction.Recorded, trigger,
                    $"cooling down until {CooldownEnd:u} after the last retraining; this trigger is recorded and fires then");
            default:
                _state.Phase = RetrainingPhase.Wanted;
                return new RetrainingDecision(RetrainingAction.Submit, trigger, trigger.Reason);
        }
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}

/// <summary>Where a model's retraining stands.</summary>
public enum RetrainingPhase
{
    /// <summary>Nothing wanted or running; no cooldown.</summary>
    Idle,
    /// <summary>Fired; waiting for the retraining budget (or for its run to be submitted).</summary>
    Wanted,
    /// <summary>A retraining run runs.</summary>
    Running,
    /// <summary>The last run ended less than the cooldown ago.</summary>
    Cooling,
}

/// <summary>A model's stored retraining state.</summary>
public sealed record RetrainingState
{
    /// <summary>Where it stands.</summary>
    public RetrainingPhase Phase { get; set; }
    /// <summary>Consecutive windows with dataset drift so far.</summary>
    public int DriftStreak { get; set; }
    /// <summary>Consecutive windows with the metric worse than its threshold so far.</summary>
    public int PerformanceStreak { get; set; }
    /// <summary>The retraining run that runs now.</summary>
    public string? Run { get; set; }
    /// <summary>When it was submitted.</summary>
    public DateTimeOffset? RunStarted { get; set; }
    /// <summary>The last run that ended, for messages.</summary>
    public string? LastRun { get; set; }
    /// <summary>When the last retraining run ended.</summary>
    public DateTimeOffset? LastFinished { get; set; }
    /// <summary>A trigger recorded while a retraining was wanted, running or cooling; acted on as the class remarks say.</summary>
    public RetrainingTrigger? Recorded { get; set; }
    /// <summary>The next cron time.</summary>
    public DateTimeOffset? NextScheduled { get; set; }
}
