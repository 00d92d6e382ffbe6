using System.Globalization;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Rollouts;

/// <summary>Decides a rollout's course from observations and the clock: guards judge every observation (a regression
/// rolls back at once), and a step whose bake time has passed and whose challenger has served its minimum predictions
/// moves on; after the 100% step the rollout completes. Pure: the caller passes the time and applies the decision's
/// effects (aliases, audit) before keeping <see cref="Progress"/>.</summary>
public sealed class RolloutTracker(RolloutProgress progress)
{
    /// <summary>The rollout after the decisions made so far.</summary>
    public RolloutProgress Progress { get; private set; } = progress;

    /// <summary>A tracker for a rollout of <paramref name="challenger"/> against <paramref name="champion"/> starting now
    /// at the first step of <paramref name="plan"/> (validated by the caller).</summary>
    public static RolloutTracker Start(RolloutPlan plan, int champion, int challenger, DateTimeOffset now) =>
        new(new RolloutProgress
        {
            Phase = RolloutPhase.Progressing, Plan = plan, Champion = champion, Challenger = challenger, Step = 0, StartedAt = now, StepSince = now,
        });

    /// <summary>Adds one window's stats of the champion and challenger (other versions are ignored), judges the guards,
    /// then checks whether the step is done.</summary>
    public RolloutDecision OnObservation(RolloutObservation observation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (Progress.Phase != RolloutPhase.Progressing) return RolloutDecision.None;
        var p = Progress;
        foreach (var stats in observation.Versions)
        {
            if (stats.Version == p.Champion) p = p with { ChampionAtStep = p.ChampionAtStep.Add(stats), ChampionOverall = p.ChampionOverall.Add(stats) };
            else if (stats.Version == p.Challenger) p = p with { ChallengerAtStep = p.ChallengerAtStep.Add(stats) };
        }

        Progress = p;
        if (Regression() is { } regression) return RollBack(regression, now);
        return OnClock(now);
    }

    /// <summary>Moves on when the current step's bake time has passed and its prediction minimum is met.</summary>
    public RolloutDecision OnClock(DateTimeOffset now)
    {
        if (Progress.CurrentStep is not { } step) return RolloutDecision.None;
        var held = now - Progress.StepSince;
        var served = Progress.ChallengerAtStep.Predictions;
        if (held < step.Bake || served < step.MinPredictions) return RolloutDecision.None;
        return Next(now, $"{step.Percent}% held {Durations.Format(held)} with {Count(served)} challenger predictions");
    }

    /// <summary>Moves on now, whatever the step's hold (someone decided); completes at the last step.</summary>
    public RolloutDecision Advance(DateTimeOffset now, string why)
    {
        if (Progress.Phase != RolloutPhase.Progressing) return RolloutDecision.None;
        return Next(now, why);
    }

    /// <summary>Withdraws the challenger.</summary>
    public RolloutDecision RollBack(string why, DateTimeOffset now)
    {
        if (Progress.Phase != RolloutPhase.Progressing) return RolloutDecision.None;
        Progress = Progress with { Phase = RolloutPhase.RolledBack, EndedAt = now, Reason = why };
        return new RolloutDecision(RolloutDecisionKind.RollBack, Progress.Step, why);
    }

    private RolloutDecision Next(DateTimeOffset now, string why)
    {
        var p = Progress;
        if (p.Step == p.Plan!.Steps.Count - 1)
        {
            var done = $"{why}; version {p.Challenger} is champion";
            Progress = p with { Phase = RolloutPhase.Completed, EndedAt = now, Reason = done };
            return new RolloutDecision(RolloutDecisionKind.Complete, p.Step, done);
        }

        var next = p.Step + 1;
        var moved = $"{why}; challenger now at {p.Plan.Steps[next].Percent}%";
        Progress = p with { Step = next, StepSince = now, ChampionAtStep = VersionTotals.Empty, ChallengerAtStep = VersionTotals.Empty, Reason = moved };
        return new RolloutDecision(RolloutDecisionKind.Advance, next, moved);
    }

    /// <summary>The first guard the challenger fails, in words; null when none fails or none can judge yet.</summary>
    private string? Regression()
    {
        var p = Progress;
        foreach (var guard in p.Plan!.Guards)
        {
            if (p.ChallengerAtStep.Metric(guard.Metric) is not { } challenger || challenger.Labeled < guard.MinLabeled) continue;
            var champion = p.ChampionAtStep.Metric(guard.Metric) is { } atStep && atStep.Labeled >= guard.MinLabeled
                ? atStep
                : p.ChampionOverall.Metric(guard.Metric);
            if (champion is not { } reference || reference.Labeled < guard.MinLabeled) continue;
            var higherIsBetter = guard.IsHigherBetter;
            var regression = higherIsBetter ? reference.Value - challenger.Value : challenger.Value - reference.Value;
            if (regression <= guard.MaxRegression) continue;
            return $"challenger {guard.Metric} {Number(challenger.Value)} is {Number(regression)} {(higherIsBetter ? "below" : "above")} champion's " +
                $"{Number(reference.Value)} (guard: {Number(guard.MaxRegression)}) over {Count(challenger.Labeled)} labeled predictions";
        }

        return null;
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
