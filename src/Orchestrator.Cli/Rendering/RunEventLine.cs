using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Rendering;

/// <summary>Run events and watch progress as single lines, for logs, pipes and CI output.</summary>
internal static class RunEventLine
{
    /// <summary>One event: <c>14:02:11  StepStarted        train[0]  attempt 1 on node-1 gpus 0</c>.</summary>
    public static string Format(RunEvent e)
    {
        var details = new List<string>();
        if (e.RunState != RunState.Unspecified) details.Add($"run {EnumText.Short(e.RunState)}");
        if (e.StepState != StepState.Unspecified) details.Add(EnumText.Short(e.StepState));
        if (e.Attempt > 0) details.Add($"attempt {e.Attempt}");
        if (e.HasReplica) details.Add($"replica {e.Replica}");
        if (e.Replicas.Count > 1) details.Add($"on {RunTables.Replicas(e.Replicas)}");
        else if (e.Node.Length > 0) details.Add($"on {e.Node}");
        if (e.GpuIndices.Count > 0) details.Add($"gpus {Humanize.Gpus(e.GpuIndices)}");
        if (e.ExitCode != 0 || e.StepState == StepState.Failed) details.Add($"exit {e.ExitCode}");
        if (e.Infrastructure) details.Add("(infrastructure)");
        if (e.Preempted) details.Add("(preempted: queued again, no retry used)");
        else if (e.RetryAt is not null) details.Add($"retry at {Humanize.Clock(e.RetryAt)}");
        if (e.Outputs.Count > 0) details.Add("outputs " + string.Join(", ", e.Outputs.Select(Output)));
        if (e.Message.Length > 0) details.Add($"- {e.Message}");
        var step = e.StepKey.Length > 0 ? $"{e.StepKey,-14} " : "";
        return $"{Humanize.Clock(e.Time)}  {e.Type,-18} {step}{string.Join(' ', details)}".TrimEnd();
    }

    /// <summary>Where a run stands: <c>run r-1 (churn@2): running, 2/6 steps done</c>.</summary>
    public static string Status(Run run) =>
        $"run {run.Id} ({run.Pipeline}@{run.PipelineVersion}): {EnumText.Short(run.State)}, {RunTables.StepProgress(run)} steps done";

    /// <summary>How a run ended: <c>run r-1 succeeded in 1m02s</c>, with the run's message when it has one.</summary>
    public static string Finished(Run run, DateTimeOffset now)
    {
        var took = run.StartedAt is null ? "" : $" in {Humanize.Elapsed(run.StartedAt, run.FinishedAt, now)}";
        var message = run.Message.Length > 0 ? $": {run.Message}" : "";
        return $"run {run.Id} {EnumText.Short(run.State)}{took}{message}";
    }

    private static string Output(Artifact artifact) =>
        artifact.Value.Length is > 0 and <= 40 && !artifact.Value.Contains('\n', StringComparison.Ordinal)
            ? $"{artifact.Name}={artifact.Value}"
            : $"{artifact.Name} ({Humanize.Bytes(artifact.Size)})";
}
