namespace Orchestrator.Core.Rollouts;

/// <summary>How a challenger takes over a deployment's traffic: ascending steps ending at 100%, and the guards that
/// roll it back when its live metrics regress against the champion's.</summary>
public sealed record RolloutPlan
{
    /// <summary>The traffic steps, percent ascending, the last at 100.</summary>
    public required IReadOnlyList<RolloutStep> Steps { get; init; }

    /// <summary>The regression checks made at every observation; a guard whose metric the model does not report is
    /// never judged.</summary>
    public IReadOnlyList<RolloutGuard> Guards { get; init; } = [];

    /// <summary>10% / 50% / 100%, each held 10 minutes; accuracy and AUC may drop at most 0.02 below the champion's.</summary>
    public static RolloutPlan Default { get; } = new()
    {
        Steps = [new RolloutStep(10, TimeSpan.FromMinutes(10)), new RolloutStep(50, TimeSpan.FromMinutes(10)), new RolloutStep(100, TimeSpan.FromMinutes(10))],
        Guards = [new RolloutGuard("accuracy", 0.02), new RolloutGuard("auc", 0.02)],
    };

    /// <summary>The steps in words, e.g. <c>10% 10m, 50% 10m, 100% 10m</c>.</summary>
    public string Describe() => string.Join(", ", Steps.Select(s => s.Describe()));
}
