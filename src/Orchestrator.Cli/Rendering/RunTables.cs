using System.Globalization;

using Orchestrator.Contracts.V1;

using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Rendering;

/// <summary>Runs as tables: the list, one run's steps, its last events.</summary>
internal static class RunTables
{
    /// <summary>How many of the latest events <c>run get</c> shows.</summary>
    public const int RecentEvents = 10;

    /// <summary>One row per run: id, pipeline@version, state, steps done/total, age, duration, labels.</summary>
    public static Table Runs(IEnumerable<Run> runs, DateTimeOffset now)
    {
        var table = Tables.Create("ID", "PIPELINE", "STATE", "STEPS", "AGE", "DURATION", "LABELS");
        foreach (var run in runs)
        {
            table.AddRow(
                new Text(run.Id),
                new Text($"{run.Pipeline}@{run.PipelineVersion}"),
                StateStyle.Run(run.State),
                new Text(StepProgress(run)),
                new Text(Humanize.Age(run.CreatedAt, now)),
                new Text(Humanize.Elapsed(run.StartedAt, run.FinishedAt, now)),
                new Text(Humanize.Labels(run.Labels)));
        }

        return table;
    }

    /// <summary>Steps finished out of all steps: <c>3/6</c>, from step_counts (list views) or the steps themselves.</summary>
    public static string StepProgress(Run run)
    {
        if (run.StepCounts.Count > 0)
        {
            var total = run.StepCounts.Values.Sum();
            var done = run.StepCounts.Where(c => IsFinalStateName(c.Key)).Sum(c => c.Value);
            return $"{done}/{total}";
        }

        return $"{run.Steps.Count(s => StateStyle.IsFinal(s.State))}/{run.Steps.Count}";
    }

    /// <summary>A run in full: what it runs, its state, parameters, every step, and its latest events.</summary>
    public static IRenderable Run(Run run, DateTimeOffset now)
    {
        var header = new Grid().AddColumn().AddColumn();
        header.AddRow(new Text("run"), new Text(run.Id));
        header.AddRow(new Text("pipeline"), new Text($"{run.Pipeline}@{run.PipelineVersion}  {Humanize.Digest(run.PipelineDigest)}"));
        header.AddRow(new Text("state"), StateStyle.Run(run.State));
        header.AddRow(new Text("created"), new Text($"{Humanize.Age(run.CreatedAt, now)} ago by {(run.SubmittedBy.Length == 0 ? "-" : run.SubmittedBy)}"));
        header.AddRow(new Text("duration"), new Text(Humanize.Elapsed(run.StartedAt, run.FinishedAt, now)));
        if (run.Parameters.Count > 0) header.AddRow(new Text("parameters"), new Text(Humanize.Labels(run.Parameters)));
        if (run.Labels.Count > 0) header.AddRow(new Text("labels"), new Text(Humanize.Labels(run.Labels)));
        if (run.Message.Length > 0) header.AddRow(new Text("message"), new Text(run.Message));

        var parts = new List<IRenderable> { header, new Text(""), Steps(run, now) };
        if (run.Events.Count > 0)
        {
            parts.Add(new Text(""));
            parts.Add(new Markup("[bold]LAST EVENTS[/]"));
            parts.AddRange(run.Events.TakeLast(RecentEvents).Select(e => new Text(RunEventLine.Format(e))));
        }

        return new Rows(parts);
    }

    /// <summary>One row per step: key, state (coloured), attempt, node, GPUs, elapsed (ticking while it runs), message.</summary>
    public static Table Steps(Run run, DateTimeOffset now)
    {
        var table = Tables.Create("STEP", "STATE", "ATTEMPT", "NODE", "GPUS", "ELAPSED", "MESSAGE");
        foreach (var step in run.Steps)
        {
            table.AddRow(
                new Text(step.ExitHandler ? $"{step.Key} (exit)" : step.Key),
                StateStyle.Step(step.State),
                new Text(step.Attempt > 0 ? step.Attempt.ToString(CultureInfo.InvariantCulture) : "-"),
                new Text(step.Replicas.Count > 1 ? Replicas(step.Replicas) : step.Node.Length == 0 ? "-" : step.Node),
                new Text(step.Replicas.Count > 1 ? $"{step.Replicas.Count}x {Humanize.Gpus(step.GpuIndices)}" : Humanize.Gpus(step.GpuIndices)),
                new Text(Humanize.Elapsed(step.StartedAt, step.FinishedAt, now)),
                new Text(StepNote(step, now)));
        }

        return table;
    }

    /// <summary>A gang's nodes, with how many of its replicas each runs: "node-a x2, node-b".</summary>
    public static string Replicas(IEnumerable<ReplicaPlacement> replicas) => string.Join(", ", replicas
        .GroupBy(r => r.Node, StringComparer.Ordinal)
        .Select(g => g.Count() > 1 ? $"{g.Key} x{g.Count()}" : g.Key));

    private static string StepNote(StepStatus step, DateTimeOffset now)
    {
        if (step.RetryAt is not null && step.State == StepState.Waiting)
        {
            var wait = step.RetryAt.ToDateTimeOffset() - now;
            return $"retry in {Humanize.Duration(wait)}" + (step.Message.Length > 0 ? $": {step.Message}" : "");
        }

        return step.Message;
    }

    // step_counts keys are state names; accept "succeeded", "SUCCEEDED" and "STEP_STATE_SUCCEEDED" alike.
    private static bool IsFinalStateName(string key)
    {
        var name = key.StartsWith("STEP_STATE_", StringComparison.OrdinalIgnoreCase) ? key[11..] : key;
        return name.ToLowerInvariant() is "succeeded" or "failed" or "skipped" or "cached" or "cancelled";
    }
}
