using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Rollouts;

namespace Orchestrator.Core.Tests.Rollouts;

/// <summary>Verifies the rollout plan's validation: the default plan passes, every bad field is reported with its path
/// and a fix (steps not ascending, not ending at 100, out of range, held for nothing; guards without a metric, with a
/// negative tolerance or a zero label minimum, or guarding one metric twice), and guard directions are made explicit.</summary>
public sealed class RolloutPlanValidatorTests
{
    [Fact]
    public void Default_IsValid_AndItsGuardsGetTheirDirection()
    {
        var plan = RolloutPlanValidator.Validate(RolloutPlan.Default);

        Assert.Equal([10, 50, 100], plan.Steps.Select(s => s.Percent));
        Assert.All(plan.Guards, g => Assert.True(g.HigherIsBetter));
        Assert.False(RolloutPlanValidator.Validate(RolloutPlan.Default with { Guards = [new RolloutGuard("rmse", 0.1)] }).Guards[0].HigherIsBetter);
        Assert.True(RolloutPlanValidator.Validate(RolloutPlan.Default with { Guards = [new RolloutGuard("rmse", 0.1, HigherIsBetter: true)] }).Guards[0].HigherIsBetter);
        Assert.Equal("10% 10m, 50% 10m, 100% 10m", plan.Describe());
    }

    [Fact]
    public void Steps_BadOnes_AreReportedWithTheirPaths()
    {
        var plan = new RolloutPlan
        {
            Steps = [new(50, TimeSpan.FromMinutes(1)), new(20, TimeSpan.FromMinutes(1)), new(0, TimeSpan.Zero), new(90, TimeSpan.FromMinutes(1), -1)],
        };

        var e = Assert.Throws<ValidationException>(() => RolloutPlanValidator.Validate(plan));

        Assert.Equal(
            ["rollout.steps[1].percent", "rollout.steps[2].percent", "rollout.steps[2]", "rollout.steps[3].min_predictions", "rollout.steps[3].percent"],
            e.Errors.Select(x => x.Field));
        Assert.Contains("does not rise above the previous step's 50", e.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("the last step must be 100", e.Errors[4].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_NoneAtAll_IsRefused()
    {
        var e = Assert.Throws<ValidationException>(() => RolloutPlanValidator.Validate(new RolloutPlan { Steps = [] }, "policy"));

        Assert.Equal("policy.steps", Assert.Single(e.Errors).Field);
        Assert.Contains("ending at 100", e.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Guards_BadOnes_AreReportedWithTheirPaths()
    {
        var plan = RolloutPlan.Default with
        {
            Guards = [new RolloutGuard("", 0.1), new RolloutGuard("auc", -0.1), new RolloutGuard("auc", 0.1, MinLabeled: 0), new RolloutGuard("bad metric!", 0.1)],
        };

        var e = Assert.Throws<ValidationException>(() => RolloutPlanValidator.Validate(plan));

        Assert.Equal(
            ["rollout.guards[0].metric", "rollout.guards[1].max_regression", "rollout.guards[2].metric", "rollout.guards[2].min_labeled", "rollout.guards[3].metric"],
            e.Errors.Select(x => x.Field));
        Assert.Contains("guarded twice", e.Errors[2].Message, StringComparison.Ordinal);
    }
}
