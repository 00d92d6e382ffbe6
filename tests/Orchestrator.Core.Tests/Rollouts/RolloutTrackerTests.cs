using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Rollouts;

namespace Orchestrator.Core.Tests.Rollouts;

/// <summary>Verifies a rollout's decisions on a fake clock: a step moves on only when its bake time has passed and its
/// challenger has served the minimum predictions; the 100% step completes the rollout; a guard rolls back with the
/// numbers in its reason, but not before each version has its minimum labeled predictions; lower-is-better metrics
/// regress upward; manual advance and rollback; and the progress survives a JSON round trip (the grain stores it so).</summary>
public sealed class RolloutTrackerTests
{
    private const int Champion = 1;
    private const int Challenger = 2;
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static RolloutPlan Plan(long minPredictions = 0, long minLabeled = 100) => new()
    {
        Steps = [new(10, TimeSpan.FromMinutes(10), minPredictions), new(50, TimeSpan.FromMinutes(10), minPredictions), new(100, TimeSpan.FromMinutes(10), minPredictions)],
        Guards = [new RolloutGuard("accuracy", 0.02, MinLabeled: minLabeled), new RolloutGuard("mae", 0.05, MinLabeled: minLabeled)],
    };

    private static RolloutObservation Window(FakeTimeProvider clock, long predictions, long labeled, double championAccuracy, double challengerAccuracy) =>
        new(clock.GetUtcNow(), [
            new VersionWindowStats(Champion, predictions * 9, labeled, new Dictionary<string, double> { ["accuracy"] = championAccuracy }),
            new VersionWindowStats(Challenger, predictions, labeled, new Dictionary<string, double> { ["accuracy"] = challengerAccuracy }),
        ]);

    [Fact]
    public void Clock_AdvancesAfterTheBakeTime_AndNotBefore()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(), Champion, Challenger, clock.GetUtcNow());

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(RolloutDecision.None, tracker.OnClock(clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromMinutes(1));
        var decision = tracker.OnClock(clock.GetUtcNow());

        Assert.Equal((RolloutDecisionKind.Advance, 1), (decision.Kind, decision.Step));
        Assert.Equal("10% held 10m with 0 challenger predictions; challenger now at 50%", decision.Reason);
        Assert.Equal((50, clock.GetUtcNow()), (tracker.Progress.Split(Champion).ChallengerPercent, tracker.Progress.StepSince));
    }

    [Fact]
    public void Clock_HoldsAStepUntilTheChallengerServedItsMinimumPredictions()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(minPredictions: 1000), Champion, Challenger, clock.GetUtcNow());

        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(RolloutDecisionKind.None, tracker.OnClock(clock.GetUtcNow()).Kind);
        Assert.Equal(RolloutDecisionKind.None, tracker.OnObservation(Window(clock, 600, 0, 0, 0), clock.GetUtcNow()).Kind);
        var decision = tracker.OnObservation(Window(clock, 400, 0, 0, 0), clock.GetUtcNow());

        Assert.Equal((RolloutDecisionKind.Advance, 1), (decision.Kind, decision.Step));
        Assert.Equal("10% held 30m with 1,000 challenger predictions; challenger now at 50%", decision.Reason);
        Assert.Equal(0, tracker.Progress.ChallengerAtStep.Predictions);
    }

    [Fact]
    public void Clock_AtTheLastStep_CompletesAndTheSplitGoesBackToOneVersion()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(), Champion, Challenger, clock.GetUtcNow());
        var kinds = new List<RolloutDecisionKind>();
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            kinds.Add(tracker.OnClock(clock.GetUtcNow()).Kind);
        }

        Assert.Equal([RolloutDecisionKind.Advance, RolloutDecisionKind.Advance, RolloutDecisionKind.Complete], kinds);
        Assert.Equal((RolloutPhase.Completed, clock.GetUtcNow()), (tracker.Progress.Phase, tracker.Progress.EndedAt));
        Assert.EndsWith("version 2 is champion", tracker.Progress.Reason, StringComparison.Ordinal);
        Assert.Equal(new TrafficSplit(Challenger, 0, 0, RolloutPhase.Completed), tracker.Progress.Split(Challenger));
        Assert.Equal(RolloutDecision.None, tracker.OnClock(clock.GetUtcNow() + TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Observation_ARegressionOverTwoWindows_RollsBackWithTheWeightedNumbers()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(), Champion, Challenger, clock.GetUtcNow());

        // Two windows of 600 labels: 0.78 (within the guard) and 0.64 average to 0.71 for the challenger.
        var first = tracker.OnObservation(Window(clock, 600, 600, 0.79, 0.78), clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMinutes(1));
        var second = tracker.OnObservation(Window(clock, 600, 600, 0.79, 0.64), clock.GetUtcNow());

        Assert.Equal(RolloutDecisionKind.None, first.Kind);
        Assert.Equal(RolloutDecisionKind.RollBack, second.Kind);
        Assert.Equal("challenger accuracy 0.71 is 0.08 below champion's 0.79 (guard: 0.02) over 1,200 labeled predictions", second.Reason);
        Assert.Equal(RolloutPhase.RolledBack, tracker.Progress.Phase);
        Assert.Equal(new TrafficSplit(Champion, 0, 0, RolloutPhase.RolledBack), tracker.Progress.Split(Champion));
    }

    [Fact]
    public void Observation_BeforeTheMinimumLabeled_DoesNotJudge()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(minLabeled: 500), Champion, Challenger, clock.GetUtcNow());

        var early = tracker.OnObservation(Window(clock, 1000, 499, 0.9, 0.1), clock.GetUtcNow());
        var judged = tracker.OnObservation(Window(clock, 1000, 1, 0.9, 0.1), clock.GetUtcNow());

        Assert.Equal(RolloutDecisionKind.None, early.Kind);
        Assert.Equal(RolloutDecisionKind.RollBack, judged.Kind);
        Assert.Contains("over 500 labeled predictions", judged.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Observation_WithinTheGuard_KeepsGoing_AndTheBakeStillAdvances()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(), Champion, Challenger, clock.GetUtcNow());

        Assert.Equal(RolloutDecisionKind.None, tracker.OnObservation(Window(clock, 600, 600, 0.80, 0.79), clock.GetUtcNow()).Kind);
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(RolloutDecisionKind.Advance, tracker.OnObservation(Window(clock, 600, 600, 0.80, 0.785), clock.GetUtcNow()).Kind);
    }

    [Fact]
    public void Observation_AtOneHundredPercent_JudgesAgainstTheChampionOfTheWholeRollout()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(), Champion, Challenger, clock.GetUtcNow());
        tracker.OnObservation(Window(clock, 600, 600, 0.80, 0.80), clock.GetUtcNow());
        tracker.Advance(clock.GetUtcNow(), "manual");
        tracker.Advance(clock.GetUtcNow(), "manual");

        var full = new RolloutObservation(clock.GetUtcNow(), [new VersionWindowStats(Challenger, 600, 600, new Dictionary<string, double> { ["accuracy"] = 0.7 })]);
        var decision = tracker.OnObservation(full, clock.GetUtcNow());

        Assert.Equal(RolloutDecisionKind.RollBack, decision.Kind);
        Assert.StartsWith("challenger accuracy 0.7 is 0.1 below champion's 0.8", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Observation_ALowerIsBetterMetric_RegressesWhenItRises()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(), Champion, Challenger, clock.GetUtcNow());
        var window = new RolloutObservation(clock.GetUtcNow(), [
            new VersionWindowStats(Champion, 900, 900, new Dictionary<string, double> { ["mae"] = 0.2 }),
            new VersionWindowStats(Challenger, 100, 100, new Dictionary<string, double> { ["mae"] = 0.3 }),
        ]);

        var decision = tracker.OnObservation(window, clock.GetUtcNow());

        Assert.Equal("challenger mae 0.3 is 0.1 above champion's 0.2 (guard: 0.05) over 100 labeled predictions", decision.Reason);
    }

    [Fact]
    public void ManualAdvanceAndRollBack_MoveTheRollout_AndDoNothingOnceItEnded()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(), Champion, Challenger, clock.GetUtcNow());

        var advanced = tracker.Advance(clock.GetUtcNow(), "looks good");
        var rolledBack = tracker.RollBack("bad latency", clock.GetUtcNow());

        Assert.Equal((RolloutDecisionKind.Advance, 1, "looks good; challenger now at 50%"), (advanced.Kind, advanced.Step, advanced.Reason));
        Assert.Equal((RolloutDecisionKind.RollBack, "bad latency"), (rolledBack.Kind, tracker.Progress.Reason));
        Assert.Equal(RolloutDecision.None, tracker.Advance(clock.GetUtcNow(), "again"));
        Assert.Equal(RolloutDecision.None, tracker.RollBack("again", clock.GetUtcNow()));
    }

    [Fact]
    public void Progress_SurvivesAJsonRoundTrip()
    {
        var clock = new FakeTimeProvider(T0);
        var tracker = RolloutTracker.Start(Plan(minPredictions: 5), Champion, Challenger, clock.GetUtcNow());
        tracker.OnObservation(Window(clock, 3, 3, 0.8, 0.8), clock.GetUtcNow());

        var copy = JsonSerializer.Deserialize<RolloutProgress>(JsonSerializer.Serialize(tracker.Progress))!;

        Assert.Equal((RolloutPhase.Progressing, 3L, TimeSpan.FromMinutes(10), 5L), (copy.Phase, copy.ChallengerAtStep.Predictions, copy.Plan!.Steps[0].Bake, copy.Plan.Steps[0].MinPredictions));
        Assert.Equal(0.8, copy.ChallengerAtStep.Metric("accuracy")!.Value.Value, 9);
        Assert.Equal("mae", copy.Plan.Guards[1].Metric);
    }
}
