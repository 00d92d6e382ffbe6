using Orchestrator.Contracts.V1;

using Spectre.Console;

namespace Orchestrator.Cli.Rendering;

/// <summary>Run and step states as coloured markup, and which of them are final.</summary>
internal static class StateStyle
{
    /// <summary>The run state's name in its colour.</summary>
    public static Markup Run(RunState state) => new($"[{Colour(state)}]{EnumText.Short(state)}[/]");

    /// <summary>The step state's name in its colour.</summary>
    public static Markup Step(StepState state) => new($"[{Colour(state)}]{EnumText.Short(state)}[/]");

    /// <summary>Spectre colour name for a run state.</summary>
    public static string Colour(RunState state) => state switch
    {
        RunState.Running => "blue",
        RunState.Succeeded => "green",
        RunState.Failed => "red",
        RunState.Cancelled => "yellow",
        _ => "grey",
    };

    /// <summary>Spectre colour name for a step state.</summary>
    public static string Colour(StepState state) => state switch
    {
        StepState.Placed => "cyan",
        StepState.Running => "blue",
        StepState.Succeeded or StepState.Cached => "green",
        StepState.Failed => "red",
        StepState.Cancelled => "yellow",
        _ => "grey",
    };

    /// <summary>True when the run will not change any more.</summary>
    public static bool IsFinal(RunState state) => state is RunState.Succeeded or RunState.Failed or RunState.Cancelled;

    /// <summary>True when the step will not change any more (unless the run is retried).</summary>
    public static bool IsFinal(StepState state) =>
        state is StepState.Succeeded or StepState.Failed or StepState.Skipped or StepState.Cached or StepState.Cancelled;
}
