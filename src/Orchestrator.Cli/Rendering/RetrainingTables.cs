using System.Globalization;

using Orchestrator.Contracts.V1;

using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Rendering;

/// <summary>Retraining policies, status and the budget as tables and lines.</summary>
internal static class RetrainingTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A policy's triggers in words, e.g. "drift in 3 windows, accuracy below 0.8 for 2 windows, cron 0 3 * * 1".</summary>
    public static string Triggers(RetrainingPolicy policy)
    {
        var parts = new List<string>();
        if (policy.DriftWindows > 0) parts.Add($"drift in {policy.DriftWindows} consecutive windows");
        if (policy.Performance is { } p)
            parts.Add(string.Create(Invariant, $"{p.Metric} {(p.HigherIsBetter ? "below" : "above")} {p.Threshold:G4} for {p.Windows} window{(p.Windows == 1 ? "" : "s")}"));
        if (policy.Cron.Length > 0) parts.Add($"cron \"{policy.Cron}\"");
        return parts.Count == 0 ? "manual only" : string.Join(", ", parts);
    }

    /// <summary>The line <c>models retrain</c> prints.</summary>
    public static string Triggered(RetrainingStatus status) => status.Phase switch
    {
        RetrainingPhase.Running => $"model {status.Name}: retraining run {status.RunId} submitted",
        _ => $"model {status.Name}: retraining waits for the budget: {status.BudgetStanding}",
    };

    /// <summary>A model's retraining: policy, standing and history.</summary>
    public static IRenderable Status(RetrainingStatus status, DateTimeOffset now)
    {
        if (status.Policy is null && status.History.Count == 0)
            return new Text($"model {status.Name} has no retraining policy; set one with `orch models retraining set {status.Name} -f retraining.yaml`");
        var header = new Grid().AddColumn().AddColumn();
        header.AddRow(new Text("model"), new Text($"{status.Name} (tenant {status.Tenant})"));
        if (status.Policy is { } policy)
        {
            header.AddRow(new Text("pipeline"), new Text($"{policy.Pipeline} (tenant {policy.Tenant}{(policy.PriorityClass.Length > 0 ? $", priority class {policy.PriorityClass}" : "")})"));
            header.AddRow(new Text("triggers"), new Text($"{Triggers(policy)}; cooldown {policy.Cooldown}; deployment {policy.Deployment}"));
            header.AddRow(new Text("promotion"), new Text(policy.AutoPromote ? "automatic: a version passing the gates becomes challenger" : "by hand"));
        }
        else header.AddRow(new Text("policy"), new Text("none (removed)"));

        header.AddRow(new Text("now"), new Text(Standing(status, now)));
        if (status.RecordedTrigger is { } recorded) header.AddRow(new Text("recorded"), new Text(recorded.Reason));
        var history = Tables.Create("#", "TRIGGER", "OUTCOME", "RUN", "VERSION", "GATES", "WHEN", "MESSAGE");
        foreach (var r in status.History)
        {
            Tables.AddRow(history, r.Number.ToString(Invariant), EnumText.Short(r.Trigger.Kind), EnumText.Short(r.Outcome), r.RunId.Length > 0 ? r.RunId : "-",
                r.Version > 0 ? r.Version.ToString(Invariant) : "-", r.HasGatesPassed ? (r.GatesPassed ? "passed" : "FAILED") : "-",
                Humanize.Age(r.Trigger.At, now), r.Message);
        }

        return status.History.Count == 0 ? header : new Rows(header, new Text(""), history);
    }

    /// <summary>The budget: limits, holders, the waiting line.</summary>
    public static IRenderable Budget(RetrainingBudget budget, DateTimeOffset now)
    {
        var l = budget.Limits;
        var summary = new Text(string.Create(Invariant,
            $"limits: {l.MaxConcurrent} at once, {l.MaxConcurrentPerTenant} per tenant, {l.PerMinute:G4} per minute (burst {l.Burst}); {budget.Granted.Count} running, {budget.Waiting.Count} waiting; {budget.Enrolled} models with a policy"));
        var table = Tables.Create("MODEL", "TENANT", "STATE", "WAITING");
        foreach (var g in budget.Granted) Tables.AddRow(table, g.Model, g.Tenant, "running", "-");
        foreach (var w in budget.Waiting) Tables.AddRow(table, w.Model, w.Tenant, "waiting", Humanize.Age(w.Since, now));
        return budget.Granted.Count + budget.Waiting.Count == 0 ? summary : new Rows(summary, new Text(""), table);
    }

    private static string Standing(RetrainingStatus status, DateTimeOffset now) => status.Phase switch
    {
        RetrainingPhase.Wanted => $"waiting for the retraining budget: {status.BudgetStanding}",
        RetrainingPhase.Running => $"retraining: run {status.RunId}",
        RetrainingPhase.Cooling when status.CooldownUntil is { } until => $"cooling down for {Humanize.Duration(until.ToDateTimeOffset() - now)} more",
        _ => status.Policy is { DriftWindows: > 0 } p ? $"idle; {status.DriftStreak} of {p.DriftWindows} drifted windows so far" : "idle",
    };
}
