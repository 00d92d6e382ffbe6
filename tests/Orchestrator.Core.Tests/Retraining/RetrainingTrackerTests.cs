using Orchestrator.Core.Retraining;

namespace Orchestrator.Core.Tests.Retraining;

/// <summary>Verifies a model's retraining state: drift must persist for K consecutive windows, a performance trigger
/// counts only windows with the metric, one retraining at a time (a second trigger is recorded, not duplicated), the
/// cooldown holds triggers back and fires the recorded one at its end, manual triggers skip the cooldown, recorded drift
/// is dropped after a successful retraining and kept after a failed one, cron fires on time, and the state survives a
/// round trip through its snapshot.</summary>
public sealed class RetrainingTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private static RetrainingPolicy Policy(int driftWindows = 3, TimeSpan? cooldown = null, PerformanceTrigger? performance = null, string cron = "") => new()
    {
        Pipeline = "churn-train", DriftWindows = driftWindows, Cooldown = cooldown ?? TimeSpan.FromHours(1), Performance = performance, Cron = cron,
    };

    private static WindowOutcome Drifted(int i, bool drift = true) => new(T0 + Window * i, drift, drift ? 0.6 : 0.1, new Dictionary<string, double>());

    private static WindowOutcome WithMetric(int i, string metric, double value) =>
        new(T0 + Window * i, false, 0, new Dictionary<string, double> { [metric] = value });

    [Fact]
    public void Drift_FiresOnlyAfterKConsecutiveWindows_AndABreakStartsTheCountAgain()
    {
        var tracker = new RetrainingTracker(Policy(), T0);

        Assert.Equal(RetrainingAction.None, tracker.OnWindow(Drifted(1)).Action);
        Assert.Equal(RetrainingAction.None, tracker.OnWindow(Drifted(2)).Action);
        Assert.Equal(RetrainingAction.None, tracker.OnWindow(Drifted(3, drift: false)).Action);
        Assert.Equal(RetrainingAction.None, tracker.OnWindow(Drifted(4)).Action);
        Assert.Equal(RetrainingAction.None, tracker.OnWindow(Drifted(5)).Action);
        var fired = tracker.OnWindow(Drifted(6));

        Assert.Equal(RetrainingAction.Submit, fired.Action);
        Assert.Equal(TriggerKind.Drift, fired.Trigger!.Kind);
        Assert.Equal("dataset drift in 3 consecutive windows (60% of features drifted in the last)", fired.Trigger.Reason);
        Assert.Equal(T0 + Window * 6, fired.Trigger.At);
        Assert.Equal(RetrainingPhase.Wanted, tracker.Snapshot.Phase);
    }

    [Fact]
    public void SecondTrigger_WhileWantedOrRunning_IsRecordedNotDuplicated()
    {
        var tracker = new RetrainingTracker(Policy(driftWindows: 1), T0);
        Assert.Equal(RetrainingAction.Submit, tracker.OnWindow(Drifted(1)).Action);

        var waiting = tracker.OnWindow(Drifted(2));
        tracker.Started("run-1", T0 + Window * 2);
        var running = tracker.OnWindow(Drifted(3));

        Assert.Equal(RetrainingAction.Recorded, waiting.Action);
        Assert.Contains("already waiting for the budget", waiting.Message, StringComparison.Ordinal);
        Assert.Equal(RetrainingAction.Recorded, running.Action);
        Assert.Equal("run run-1 is retraining this model; this trigger is recorded, not duplicated", running.Message);
        Assert.Equal(T0 + Window * 2, tracker.Snapshot.Recorded!.At);
    }

    [Fact]
    public void AfterASuccessfulRetraining_RecordedDriftIsDropped_AndTheCooldownHoldsNewTriggers()
    {
        var tracker = new RetrainingTracker(Policy(driftWindows: 1), T0);
        tracker.OnWindow(Drifted(1));
        tracker.Started("run-1", T0);
        tracker.OnWindow(Drifted(2));

        var ended = tracker.Finished("run-1", succeeded: true, T0 + Window * 3);
        var cooling = tracker.OnWindow(Drifted(4));

        Assert.Equal(RetrainingAction.None, ended.Action);
        Assert.Equal(RetrainingAction.Recorded, cooling.Action);
        Assert.Equal($"cooling down until {T0 + Window * 3 + TimeSpan.FromHours(1):u} after the last retraining; this trigger is recorded and fires then", cooling.Message);
        Assert.Equal(T0 + Window * 3 + TimeSpan.FromHours(1), tracker.NextWakeUp);
        Assert.Equal(RetrainingAction.None, tracker.OnClock(T0 + Window * 8).Action);

        var due = tracker.OnClock(T0 + Window * 3 + TimeSpan.FromHours(1));

        Assert.Equal(RetrainingAction.Submit, due.Action);
        Assert.EndsWith("(recorded during the cooldown)", due.Trigger!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ANewBaseline_DropsDriftRecordedAgainstTheOldOne_AndStartsTheStreaksAgain_ButKeepsAManualTrigger()
    {
        var tracker = new RetrainingTracker(Policy(driftWindows: 2), T0);
        tracker.OnWindow(Drifted(1));
        tracker.OnWindow(Drifted(2));
        tracker.Started("run-1", T0);
        tracker.Finished("run-1", succeeded: true, T0 + Window * 3);
        tracker.OnWindow(Drifted(4));
        tracker.OnWindow(Drifted(5)); // measured against the old champion while the new one rolled out: recorded

        Assert.Equal(TriggerKind.Drift, tracker.Snapshot.Recorded!.Kind);
        tracker.BaselineChanged();

        Assert.Null(tracker.Snapshot.Recorded);
        Assert.Null(tracker.NextWakeUp);
        Assert.Equal(RetrainingAction.None, tracker.OnWindow(Drifted(6)).Action);
        Assert.Equal(1, tracker.Snapshot.DriftStreak);

        tracker.Started("run-2", T0 + Window * 7);
        tracker.OnManual("alice", "", T0 + Window * 7);
        tracker.BaselineChanged();
        Assert.Equal(TriggerKind.Manual, tracker.Snapshot.Recorded!.Kind);
    }

    [Fact]
    public void AfterAFailedRetraining_RecordedDriftStands_AndFiresWhenTheCooldownEnds()
    {
        var tracker = new RetrainingTracker(Policy(driftWindows: 1, cooldown: TimeSpan.FromMinutes(30)), T0);
        tracker.OnWindow(Drifted(1));
        tracker.Started("run-1", T0);
        tracker.OnWindow(Drifted(2));

        Assert.Equal(RetrainingAction.None, tracker.Finished("run-1", succeeded: false, T0 + Window * 3).Action);

        Assert.Equal(T0 + Window * 6, tracker.NextWakeUp);
        Assert.Equal(RetrainingAction.Submit, tracker.OnClock(T0 + Window * 6).Action);
    }

    [Fact]
    public void Manual_SkipsTheCooldown_ButNotTheOneAtATimeRule_AndGoesAsSoonAsTheRunningOneEnds()
    {
        var tracker = new RetrainingTracker(Policy(driftWindows: 1), T0);
        tracker.OnWindow(Drifted(1));
        tracker.Started("run-1", T0);

        var whileRunning = tracker.OnManual("alice", "new labels arrived", T0 + Window);
        var afterEnd = tracker.Finished("run-1", succeeded: true, T0 + Window * 2);

        Assert.Equal(RetrainingAction.Recorded, whileRunning.Action);
        Assert.Equal(RetrainingAction.Submit, afterEnd.Action);
        Assert.Equal(TriggerKind.Manual, afterEnd.Trigger!.Kind);
        Assert.Equal("asked by alice: new labels arrived (recorded while run-1 ran)", afterEnd.Trigger.Reason);
        tracker.Started("run-2", T0 + Window * 2);
        tracker.Finished("run-2", succeeded: true, T0 + Window * 3);
        Assert.Equal(RetrainingAction.Submit, tracker.OnManual("bob", "", T0 + Window * 4).Action);
    }

    [Fact]
    public void Performance_CountsOnlyWindowsThatHaveTheMetric_InTheDirectionOfWorse()
    {
        var accuracy = new RetrainingTracker(Policy(driftWindows: 0, performance: new PerformanceTrigger("accuracy", 0.8, Windows: 2)), T0);
        Assert.Equal(RetrainingAction.None, accuracy.OnWindow(WithMetric(1, "accuracy", 0.75)).Action);
        // A window without labels neither counts nor breaks the streak.
        Assert.Equal(RetrainingAction.None, accuracy.OnWindow(Drifted(2, drift: false)).Action);
        var fired = accuracy.OnWindow(WithMetric(3, "accuracy", 0.7));
        Assert.Equal(RetrainingAction.Submit, fired.Action);
        Assert.Equal("live accuracy 0.7 is below 0.8 for 2 window(s)", fired.Trigger!.Reason);

        var rmse = new RetrainingTracker(Policy(driftWindows: 0, performance: new PerformanceTrigger("rmse", 3, HigherIsBetter: false)), T0);
        Assert.Equal(RetrainingAction.None, rmse.OnWindow(WithMetric(1, "rmse", 2.5)).Action);
        Assert.Equal(RetrainingAction.Submit, rmse.OnWindow(WithMetric(2, "rmse", 3.5)).Action);
    }

    [Fact]
    public void Cron_FiresAtItsTimes_AndTheNextTimeMovesOn()
    {
        var tracker = new RetrainingTracker(Policy(driftWindows: 0, cooldown: TimeSpan.Zero, cron: "0 3 * * *"), T0);
        Assert.Equal(T0.AddHours(3), tracker.NextWakeUp);
        Assert.Equal(RetrainingAction.None, tracker.OnClock(T0.AddHours(2)).Action);

        var fired = tracker.OnClock(T0.AddHours(3));

        Assert.Equal(RetrainingAction.Submit, fired.Action);
        Assert.Equal(TriggerKind.Schedule, fired.Trigger!.Kind);
        Assert.Equal(T0.AddDays(1).AddHours(3), tracker.NextWakeUp);
    }

    [Fact]
    public void State_RestoredFromItsSnapshot_ContinuesTheStreak()
    {
        var first = new RetrainingTracker(Policy(), T0);
        first.OnWindow(Drifted(1));
        first.OnWindow(Drifted(2));

        var restored = new RetrainingTracker(Policy(), T0, first.Snapshot with { });

        Assert.Equal(RetrainingAction.Submit, restored.OnWindow(Drifted(3)).Action);
    }

    [Fact]
    public void Validate_NamesEachBadField()
    {
        var errors = RetrainingPolicyValidator.Validate(new RetrainingPolicy
        {
            Pipeline = "", DriftWindows = -1, Cooldown = TimeSpan.FromDays(31), Cron = "every day",
            Performance = new PerformanceTrigger("", double.NaN, Windows: 0), Tenant = "",
        });

        Assert.Equal(
            ["retraining.pipeline", "retraining.tenant", "retraining.drift_windows", "retraining.cooldown", "retraining.cron",
             "retraining.performance.metric", "retraining.performance.threshold", "retraining.performance.windows"],
            errors.Select(e => e.Field));
        Assert.Contains("write five: minute hour day-of-month month day-of-week", errors.Single(e => e.Field == "retraining.cron").Message, StringComparison.Ordinal);
        Assert.Equal("has no trigger: set drift_windows, performance or cron (a manual retrain needs no policy trigger, but a policy with none does nothing by itself)",
            RetrainingPolicyValidator.Validate(Policy(driftWindows: 0)).Single().Message);
        Assert.Empty(RetrainingPolicyValidator.Validate(Policy()));
    }
}
