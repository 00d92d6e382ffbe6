using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Retraining;
using Orchestrator.Grains;
using Orchestrator.Grains.Retraining;
using Proto = Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Maps retraining policies, status and the budget between the proto contract and the grains.</summary>
public static class RetrainingMapper
{
    /// <summary>The core policy from the request's; defaults filled in, durations parsed (errors name the field).</summary>
    public static RetrainingPolicy ToCore(Proto.RetrainingPolicy? policy, string modelTenant)
    {
        if (policy is null) throw OrchestratorException.Invalid("policy", "is required: give the pipeline and at least one trigger (drift_windows, performance or cron)");
        TimeSpan cooldown;
        try
        {
            cooldown = policy.Cooldown.Length == 0 ? new RetrainingPolicy { Pipeline = "" }.Cooldown : Durations.Parse(policy.Cooldown);
        }
        catch (FormatException e)
        {
            throw OrchestratorException.Invalid("policy.cooldown", $"{e.Message}; write a duration such as 30m, 6h or 1d");
        }

        PerformanceTrigger? performance = null;
        if (policy.Performance is { } p)
        {
            performance = new PerformanceTrigger(p.Metric, p.Threshold, p.HasHigherIsBetter ? p.HigherIsBetter : HigherIsBetter(p.Metric), p.Windows == 0 ? 1 : p.Windows);
        }

        return new RetrainingPolicy
        {
            Pipeline = policy.Pipeline,
            Parameters = new Dictionary<string, string>(policy.Parameters, StringComparer.Ordinal),
            DriftWindows = policy.HasDriftWindows ? policy.DriftWindows : 3,
            Performance = performance,
            Cron = policy.Cron,
            Cooldown = cooldown,
            PriorityClass = policy.PriorityClass,
            Tenant = policy.Tenant.Length == 0 ? modelTenant : policy.Tenant,
            AutoPromote = !policy.HasAutoPromote || policy.AutoPromote,
            Deployment = policy.Deployment.Length == 0 ? Core.Models.ModelDeployments.Default : policy.Deployment,
        };
    }

    /// <summary>Whether a higher value of a live metric is better, from its name: errors and losses are not.</summary>
    public static bool HigherIsBetter(string metric)
    {
        var name = metric.ToLowerInvariant();
        return !(name is "mae" or "rmse" or "mse" || name.Contains("error", StringComparison.Ordinal) || name.Contains("loss", StringComparison.Ordinal));
    }

    /// <summary>The proto policy.</summary>
    public static Proto.RetrainingPolicy ToProto(RetrainingPolicy policy)
    {
        var proto = new Proto.RetrainingPolicy
        {
            Pipeline = policy.Pipeline, DriftWindows = policy.DriftWindows, Cron = policy.Cron, Cooldown = Durations.Format(policy.Cooldown),
            PriorityClass = policy.PriorityClass, Tenant = policy.Tenant, AutoPromote = policy.AutoPromote, Deployment = policy.Deployment,
        };
        foreach (var (name, value) in policy.Parameters) proto.Parameters[name] = value;
        if (policy.Performance is { } p)
            proto.Performance = new Proto.PerformanceTrigger { Metric = p.Metric, Threshold = p.Threshold, HigherIsBetter = p.HigherIsBetter, Windows = p.Windows };
        return proto;
    }

    /// <summary>The proto status.</summary>
    public static Proto.RetrainingStatus ToProto(RetrainingStatus status)
    {
        var state = status.State;
        var proto = new Proto.RetrainingStatus
        {
            Tenant = status.Tenant, Name = status.Model, Policy = status.Policy is { } policy ? ToProto(policy) : null, Revision = status.Revision,
            Phase = state is null ? Proto.RetrainingPhase.Idle : (Proto.RetrainingPhase)((int)state.Phase + 1),
            DriftStreak = state?.DriftStreak ?? 0, PerformanceStreak = state?.PerformanceStreak ?? 0, RunId = state?.Run ?? "",
            RecordedTrigger = state?.Recorded is { } recorded ? ToProto(recorded) : null,
            CooldownUntil = RunMapper.Time(status.CooldownUntil), NextScheduled = RunMapper.Time(state?.NextScheduled), BudgetStanding = status.BudgetStanding,
        };
        proto.History.AddRange(status.History.Select(ToProto));
        return proto;
    }

    private static Proto.RetrainingTrigger ToProto(RetrainingTrigger trigger) => new()
    {
        Kind = (Proto.RetrainingTriggerKind)(int)trigger.Kind, Reason = trigger.Reason, At = RunMapper.Time(trigger.At),
    };

    private static Proto.RetrainingRecord ToProto(RetrainingRecord record)
    {
        var proto = new Proto.RetrainingRecord
        {
            Number = record.Number, Trigger = ToProto(record.Trigger), Outcome = (Proto.RetrainingOutcome)(int)record.Outcome, RunId = record.RunId,
            SubmittedAt = RunMapper.Time(record.SubmittedAt), FinishedAt = RunMapper.Time(record.FinishedAt), Version = record.Version,
            Promoted = record.Promoted, Message = record.Message,
        };
        if (record.GatesPassed is { } passed) proto.GatesPassed = passed;
        return proto;
    }

    /// <summary>The core limits: a field left 0 keeps the value of <paramref name="current"/>.</summary>
    public static RetrainingBudgetSpec ToCore(Proto.RetrainingBudgetLimits? limits, RetrainingBudgetSpec current)
    {
        if (limits is null) throw OrchestratorException.Invalid("limits", "is required: give at least one of max_concurrent, max_concurrent_per_tenant, per_minute, burst");
        return new RetrainingBudgetSpec(
            limits.MaxConcurrent == 0 ? current.MaxConcurrent : limits.MaxConcurrent,
            limits.MaxConcurrentPerTenant == 0 ? current.MaxConcurrentPerTenant : limits.MaxConcurrentPerTenant,
            limits.PerMinute == 0 ? current.PerMinute : limits.PerMinute,
            limits.Burst == 0 ? current.Burst : limits.Burst);
    }

    /// <summary>The proto budget.</summary>
    public static Proto.RetrainingBudget ToProto(RetrainingBudgetView view)
    {
        var proto = new Proto.RetrainingBudget
        {
            Limits = new Proto.RetrainingBudgetLimits
            {
                MaxConcurrent = view.Spec.MaxConcurrent, MaxConcurrentPerTenant = view.Spec.MaxConcurrentPerTenant, PerMinute = view.Spec.PerMinute, Burst = view.Spec.Burst,
            },
            Enrolled = view.Enrolled, GrantedTotal = view.GrantedTotal,
        };
        proto.Granted.AddRange(view.Granted.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new Proto.BudgetHolder { Model = g.Key, Tenant = g.Value }));
        proto.Waiting.AddRange(view.Waiting.Select(w => new Proto.BudgetWaiter { Model = w.Model, Tenant = w.Tenant, Since = RunMapper.Time(w.Since) }));
        return proto;
    }
}
