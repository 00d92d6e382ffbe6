using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Watch;

/// <summary>A run as last seen: the GetRun snapshot with every later RunEvent applied to it.</summary>
internal sealed class RunWatchState(Run snapshot)
{
    /// <summary>The run as it stands now (mutated by <see cref="Apply"/>; clone it to keep a copy).</summary>
    public Run Run { get; } = snapshot.Clone();

    /// <summary>Revision of the last event applied: where a reconnect continues from.</summary>
    public long Revision => Run.Revision;

    /// <summary>True once the run is succeeded, failed or cancelled.</summary>
    public bool IsFinished => StateStyle.IsFinal(Run.State);

    /// <summary>Applies an event; false (and nothing changes) when it is not newer than what was already applied.</summary>
    public bool Apply(RunEvent e)
    {
        if (e.Revision <= Run.Revision) return false;
        Run.Revision = e.Revision;
        if (e.RunState != RunState.Unspecified) ApplyToRun(e);
        if (e.StepKey.Length > 0) ApplyToStep(e, FindOrAddStep(e.StepKey));
        return true;
    }

    private void ApplyToRun(RunEvent e)
    {
        Run.State = e.RunState;
        if (e.RunState == RunState.Running && Run.StartedAt is null) Run.StartedAt = e.Time;
        if (StateStyle.IsFinal(e.RunState)) Run.FinishedAt = e.Time;
        else Run.FinishedAt = null;
        if (e.StepKey.Length == 0 && e.Message.Length > 0) Run.Message = e.Message;
    }

    private static void ApplyToStep(RunEvent e, StepStatus step)
    {
        var newAttempt = e.Attempt > 0 && e.Attempt != step.Attempt;
        if (e.Attempt > 0) step.Attempt = e.Attempt;
        if (e.StepState != StepState.Unspecified) step.State = e.StepState;
        if (e.Node.Length > 0) step.Node = e.Node;
        if (e.GpuIndices.Count > 0)
        {
            step.GpuIndices.Clear();
            step.GpuIndices.AddRange(e.GpuIndices);
        }

        if (e.Type == "StepPlaced")
        {
            step.Replicas.Clear();
            step.Replicas.AddRange(e.Replicas);
        }

        if (e.StepState == StepState.Running && (newAttempt || step.StartedAt is null || step.FinishedAt is not null))
        {
            // A new attempt starts its own clock; the previous attempt's end and message no longer apply.
            step.StartedAt = e.Time;
            step.FinishedAt = null;
            step.RetryAt = null;
            step.Message = "";
        }

        if (StateStyle.IsFinal(e.StepState)) step.FinishedAt = e.Time;
        step.RetryAt = e.RetryAt ?? (e.StepState == StepState.Waiting ? step.RetryAt : null);
        if (e.Message.Length > 0) step.Message = e.Message;
        if (e.Outputs.Count > 0)
        {
            step.Outputs.Clear();
            step.Outputs.AddRange(e.Outputs);
        }
    }

    private StepStatus FindOrAddStep(string key)
    {
        var step = Run.Steps.FirstOrDefault(s => s.Key == key);
        if (step is not null) return step;

        // A step the snapshot did not list yet (a fan-out expanded later): its key is NAME or NAME[i].
        var bracket = key.IndexOf('[', StringComparison.Ordinal);
        var index = bracket > 0 && key.EndsWith(']') && int.TryParse(key.AsSpan(bracket + 1, key.Length - bracket - 2), out var i) ? i : -1;
        step = new StepStatus { Key = key, Name = index >= 0 ? key[..bracket] : key, Index = index, State = StepState.Waiting };
        Run.Steps.Add(step);
        return step;
    }
}
