using Orchestrator.Core.Retraining;

namespace Orchestrator.Core.Tests.Retraining;

/// <summary>Verifies the cluster-wide retraining budget: the total and per-tenant concurrency limits, the rate (a token
/// bucket), a fair queue across tenants (fewest running first, then longest waiting), that asking twice does not
/// queue twice, that releases grant the next in line, and the reasons a waiting model is told.</summary>
public sealed class RetrainingBudgetTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Storm_OfOneTenant_IsHeldToItsLimit_WhileAnotherTenantStillGetsItsShare()
    {
        var budget = new RetrainingBudget(new RetrainingBudgetSpec(MaxConcurrent: 4, MaxConcurrentPerTenant: 2, PerMinute: 1000, Burst: 100), T0);

        var storm = Enumerable.Range(0, 50).Select(i => budget.Request($"a/model-{i}", "team-a", T0)).ToList();
        var quiet = budget.Request("b/model-0", "team-b", T0.AddSeconds(1));

        Assert.Equal(2, storm.Count(a => a.Granted));
        Assert.True(quiet.Granted);
        Assert.Equal(3, budget.Granted.Count);
        Assert.Equal(48, budget.Waiting);
        var third = budget.Answer("a/model-2", T0);
        Assert.False(third.Granted);
        Assert.Equal(1, third.Position);
        Assert.Contains("tenant team-a runs 2 of its 2 retraining runs", third.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_GrantsTheTenantWithFewestRunning_ThenTheLongestWaiting()
    {
        var budget = new RetrainingBudget(new RetrainingBudgetSpec(MaxConcurrent: 2, MaxConcurrentPerTenant: 2, PerMinute: 1000, Burst: 100), T0);
        budget.Request("a/1", "team-a", T0);
        budget.Request("a/2", "team-a", T0);
        budget.Request("a/3", "team-a", T0.AddSeconds(1));
        budget.Request("b/1", "team-b", T0.AddSeconds(2));
        budget.Request("c/1", "team-c", T0.AddSeconds(3));

        // team-a holds both places: b and c (none running) go before a's third, b first (it asked first).
        Assert.Equal(["b/1"], budget.Release("a/1", T0.AddMinutes(1)));
        // a runs 1, b runs 1, c runs 0.
        Assert.Equal(["c/1"], budget.Release("b/1", T0.AddMinutes(2)));
        Assert.Equal(["a/3"], budget.Release("c/1", T0.AddMinutes(3)));
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public void Rate_HoldsStartsBackUntilTheBucketRefills_AndSaysWhen()
    {
        var budget = new RetrainingBudget(new RetrainingBudgetSpec(MaxConcurrent: 100, MaxConcurrentPerTenant: 100, PerMinute: 6, Burst: 2), T0);

        var answers = Enumerable.Range(0, 4).Select(i => budget.Request($"m/{i}", "t", T0)).ToList();

        Assert.Equal([true, true, false, false], answers.Select(a => a.Granted));
        Assert.Equal(T0.AddSeconds(10), budget.NextWakeUp(T0));
        Assert.Contains("the retraining rate (6/min) is used up", answers[2].Reason, StringComparison.Ordinal);
        Assert.Empty(budget.Tick(T0.AddSeconds(9)));
        Assert.Equal(["m/2"], budget.Tick(T0.AddSeconds(10)));
        Assert.Equal(["m/3"], budget.Tick(T0.AddSeconds(20)));
        Assert.Null(budget.NextWakeUp(T0.AddSeconds(20)));
    }

    [Fact]
    public void AskingAgain_AnswersTheCurrentStanding_WithoutQueueingTwice()
    {
        var budget = new RetrainingBudget(new RetrainingBudgetSpec(MaxConcurrent: 1, MaxConcurrentPerTenant: 1, PerMinute: 60, Burst: 5), T0);
        Assert.True(budget.Request("m/1", "t", T0).Granted);
        Assert.False(budget.Request("m/2", "t", T0).Granted);

        Assert.True(budget.Request("m/1", "t", T0.AddSeconds(5)).Granted);
        var again = budget.Request("m/2", "t", T0.AddSeconds(5));

        Assert.False(again.Granted);
        Assert.Equal(1, again.Position);
        Assert.Equal(1, budget.Waiting);
        Assert.Contains("1 of 1 retraining runs of the cluster are running", again.Reason, StringComparison.Ordinal);
        Assert.Empty(budget.Release("m/2", T0.AddSeconds(6)));
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public void Configure_WithALargerLimit_GrantsTheWaiting()
    {
        var budget = new RetrainingBudget(new RetrainingBudgetSpec(MaxConcurrent: 1, MaxConcurrentPerTenant: 5, PerMinute: 60, Burst: 5), T0);
        budget.Request("m/1", "t", T0);
        budget.Request("m/2", "t", T0);

        Assert.Equal(["m/2"], budget.Configure(budget.Spec with { MaxConcurrent = 2 }, T0.AddSeconds(1)));
        Assert.Equal(
            ["retraining_budget.max_concurrent", "retraining_budget.per_minute", "retraining_budget.burst"],
            new RetrainingBudgetSpec(MaxConcurrent: 0, PerMinute: double.NaN, Burst: 0).Validate().Select(e => e.Field));
    }
}
