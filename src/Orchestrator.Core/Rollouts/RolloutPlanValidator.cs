using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Rollouts;

/// <summary>Checks a <see cref="RolloutPlan"/>, naming each field to fix (<c>rollout.steps[1].percent</c>, as in the
/// YAML file of <c>orch models rollout policy set</c>).</summary>
public static class RolloutPlanValidator
{
    /// <summary>Most steps in a plan.</summary>
    public const int MaxSteps = 20;

    /// <summary>Most guards in a plan.</summary>
    public const int MaxGuards = 16;

    /// <summary>Longest bake time of one step.</summary>
    public static readonly TimeSpan MaxBake = TimeSpan.FromDays(30);

    /// <summary>The plan with every guard's direction made explicit, when it is valid.</summary>
    /// <exception cref="ValidationException">With every problem found.</exception>
    public static RolloutPlan Validate(RolloutPlan plan, string path = "rollout")
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = new List<ValidationError>();
        CheckSteps(plan.Steps ?? [], $"{path}.steps", errors);
        var guards = plan.Guards ?? [];
        if (guards.Count > MaxGuards) errors.Add(new($"{path}.guards", $"has {guards.Count} guards; at most {MaxGuards}: keep the metrics that matter"));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < guards.Count; i++) CheckGuard(guards[i], $"{path}.guards[{i}]", seen, errors);
        if (errors.Count > 0) throw new ValidationException(errors);
        return plan with { Guards = [.. guards.Select(g => g with { HigherIsBetter = g.IsHigherBetter })] };
    }

    private static void CheckSteps(IReadOnlyList<RolloutStep> steps, string path, List<ValidationError> errors)
    {
        if (steps.Count == 0)
        {
            errors.Add(new(path, "is empty: give the challenger's traffic percentages in ascending order, ending at 100 (e.g. 10, 50, 100)"));
            return;
        }

        if (steps.Count > MaxSteps) errors.Add(new(path, $"has {steps.Count} steps; at most {MaxSteps}"));
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var at = $"{path}[{i}]";
            if (step is null)
            {
                errors.Add(new(at, "is empty: give percent and bake or min_predictions"));
                continue;
            }

            if (step.Percent is < 1 or > 100)
                errors.Add(new($"{at}.percent", $"{step.Percent} is not a share of traffic: give 1 to 100"));
            else if (i > 0 && steps[i - 1] is { } previous && step.Percent <= previous.Percent)
                errors.Add(new($"{at}.percent", $"{step.Percent} does not rise above the previous step's {previous.Percent}: list the steps in ascending order"));
            if (step.Bake < TimeSpan.Zero || step.Bake > MaxBake)
                errors.Add(new($"{at}.bake", $"must be 0 to 30d, got {Durations.Format(step.Bake)}"));
            if (step.MinPredictions < 0)
                errors.Add(new($"{at}.min_predictions", $"{step.MinPredictions} is negative: give 0 (no minimum) or more"));
            if (step.Bake == TimeSpan.Zero && step.MinPredictions == 0)
                errors.Add(new(at, "is held for nothing: give a bake time (e.g. 10m), min_predictions, or both"));
        }

        if (steps[^1] is { Percent: not 100 } last && last.Percent is >= 1 and <= 100)
            errors.Add(new($"{path}[{steps.Count - 1}].percent", $"is {last.Percent}; the last step must be 100, where the challenger becomes champion"));
    }

    private static void CheckGuard(RolloutGuard guard, string path, HashSet<string> seen, List<ValidationError> errors)
    {
        if (guard is null)
        {
            errors.Add(new(path, "is empty: give metric and max_regression"));
            return;
        }

        if (string.IsNullOrEmpty(guard.Metric))
            errors.Add(new($"{path}.metric", "is required: name a live metric the monitor reports, e.g. accuracy, auc, mae or rmse"));
        else if (!ModelNames.IsMetricName(guard.Metric))
            errors.Add(new($"{path}.metric", $"'{ModelVersionValidator.Clip(guard.Metric)}' is not a metric name: use 1-128 letters, digits, '_', '.', ':', '/', '-'"));
        else if (!seen.Add(guard.Metric))
            errors.Add(new($"{path}.metric", $"'{guard.Metric}' is guarded twice; keep one guard per metric"));
        if (!double.IsFinite(guard.MaxRegression) || guard.MaxRegression < 0)
            errors.Add(new($"{path}.max_regression", $"{guard.MaxRegression} is not a tolerance: give the largest allowed regression, 0 or more (e.g. 0.02)"));
        if (guard.MinLabeled < 1)
            errors.Add(new($"{path}.min_labeled", $"{guard.MinLabeled} is too few: give the labeled predictions each version needs before the guard judges, 1 or more (e.g. 100)"));
    }
}
