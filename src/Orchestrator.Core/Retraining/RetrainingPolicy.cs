using System.Text.RegularExpressions;

using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Retraining;

/// <summary>When and how a model is retrained: the pipeline and its parameters, the triggers, the cooldown, and who
/// pays (tenant, priority class).</summary>
public sealed record RetrainingPolicy
{
    /// <summary>The pipeline to run (in <see cref="Tenant"/>).</summary>
    public required string Pipeline { get; init; }

    /// <summary>Arguments for the run; values may use <c>{{model}}</c>, <c>{{trigger}}</c> (drift, performance,
    /// schedule or manual) and <c>{{window_end}}</c> (the time of the window or clock tick that fired, ISO 8601).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Retrain after this many consecutive windows with dataset drift; 0 turns the drift trigger off.</summary>
    public int DriftWindows { get; init; } = 3;

    /// <summary>Retrain when a live metric is worse than a threshold; null for none.</summary>
    public PerformanceTrigger? Performance { get; init; }

    /// <summary>A five-field cron expression (UTC) for scheduled retraining; empty for none.</summary>
    public string Cron { get; init; } = "";

    /// <summary>After a retraining run ends, triggers wait this long (manual ones excepted), so one drifting feed does
    /// not retrain a model again and again.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromHours(6);

    /// <summary>The run's priority class; empty for the tenant's default.</summary>
    public string PriorityClass { get; init; } = "";

    /// <summary>The tenant the run belongs to and whose share of the retraining budget it uses.</summary>
    public string Tenant { get; init; } = "default";

    /// <summary>A retrained version that passes its gates becomes challenger and its rollout starts by itself.</summary>
    public bool AutoPromote { get; init; } = true;

    /// <summary>The deployment whose monitor's windows count towards the drift and performance triggers, and where the
    /// retrained version is rolled out.</summary>
    public string Deployment { get; init; } = ModelDeployments.Default;

    /// <summary>The placeholders <see cref="Parameters"/> may use.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["model", "trigger", "window_end"];

    /// <summary>The run's arguments: <see cref="Parameters"/> with the placeholders filled in for <paramref name="model"/>
    /// and <paramref name="trigger"/>.</summary>
    public Dictionary<string, string> Arguments(string model, RetrainingTrigger trigger)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = model,
            ["trigger"] = trigger.Kind.ToString().ToLowerInvariant(),
            ["window_end"] = trigger.At.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, template) in Parameters)
            arguments[name] = PlaceholderPattern().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);
        return arguments;
    }

    /// <summary>Every <c>{{ name }}</c> in a parameter template.</summary>
    internal static Regex PlaceholderPattern() => Placeholder;

    private static readonly Regex Placeholder = new(@"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}", RegexOptions.CultureInvariant);
}

/// <summary>Retrain when <see cref="Metric"/> is worse than <see cref="Threshold"/> for <see cref="Windows"/> windows in a row.</summary>
/// <param name="Metric">A live metric the monitor computes: accuracy, auc, mae, rmse.</param>
/// <param name="Threshold">The bound.</param>
/// <param name="HigherIsBetter">True for accuracy and AUC (worse = below), false for errors (worse = above).</param>
/// <param name="Windows">Consecutive windows it must be worse.</param>
public sealed record PerformanceTrigger(string Metric, double Threshold, bool HigherIsBetter = true, int Windows = 1)
{
    /// <summary>True when <paramref name="value"/> is worse than the threshold.</summary>
    public bool IsWorse(double value) => HigherIsBetter ? value < Threshold : value > Threshold;
}

/// <summary>Checks a <see cref="RetrainingPolicy"/>, naming each field to fix.</summary>
public static class RetrainingPolicyValidator
{
    /// <summary>Most consecutive windows a trigger may ask for.</summary>
    public const int MaxWindows = 1000;

    /// <summary>Longest cooldown.</summary>
    public static readonly TimeSpan MaxCooldown = TimeSpan.FromDays(30);

    /// <summary>Every problem, with <paramref name="path"/> as the policy's own field path.</summary>
    public static IReadOnlyList<ValidationError> Validate(RetrainingPolicy policy, string path = "retraining")
    {
        var errors = new List<ValidationError>();
        void Fail(string field, string message) => errors.Add(new ValidationError($"{path}.{field}", message));

        if (string.IsNullOrWhiteSpace(policy.Pipeline)) Fail("pipeline", "is empty; name the pipeline that retrains the model, e.g. churn-train");
        if (string.IsNullOrWhiteSpace(policy.Tenant)) Fail("tenant", "is empty; name the tenant the retraining runs belong to");
        if (policy.DriftWindows is < 0 or > MaxWindows)
            Fail("drift_windows", $"must be 0 (off) to {MaxWindows}, got {policy.DriftWindows}: how many windows in a row must show dataset drift");
        if (policy.Cooldown < TimeSpan.Zero || policy.Cooldown > MaxCooldown)
            Fail("cooldown", $"must be 0 to 30d, got {Durations.Format(policy.Cooldown)}");
        if (policy.Cron.Length > 0 && CronSchedule.TryParse(policy.Cron, out var problem) is null) Fail("cron", problem!);
        if (policy.Performance is { } performance)
        {
            if (string.IsNullOrWhiteSpace(performance.Metric)) Fail("performance.metric", "is empty; name a live metric, e.g. accuracy, auc, mae or rmse");
            if (double.IsNaN(performance.Threshold) || double.IsInfinity(performance.Threshold)) Fail("performance.threshold", "must be a finite number, e.g. 0.8");
            if (performance.Windows is < 1 or > MaxWindows) Fail("performance.windows", $"must be 1 to {MaxWindows}, got {performance.Windows}");
        }

        if (policy.DriftWindows == 0 && policy.Performance is null && policy.Cron.Length == 0)
            errors.Add(new ValidationError(path, "has no trigger: set drift_windows, performance or cron (a manual retrain needs no policy trigger, but a policy with none does nothing by itself)"));
        foreach (var (name, value) in policy.Parameters)
        {
            if (string.IsNullOrWhiteSpace(name)) Fail("parameters", "has an empty parameter name");
            else if (value is null) Fail($"parameters.{name}", "is null; give a value or remove the parameter");
            else
            {
                foreach (Match match in RetrainingPolicy.PlaceholderPattern().Matches(value))
                {
                    if (!RetrainingPolicy.Placeholders.Contains(match.Groups[1].Value))
                        Fail($"parameters.{name}", $"uses {{{{{match.Groups[1].Value}}}}}, which is not a retraining placeholder; use {string.Join(", ", RetrainingPolicy.Placeholders.Select(p => "{{" + p + "}}"))}");
                }
            }
        }

        if (!ModelDeployments.IsName(policy.Deployment))
            Fail("deployment", $"'{policy.Deployment}' is not a deployment name: use 1-63 lowercase letters, digits and '-' (default: {ModelDeployments.Default})");

        return errors;
    }
}
