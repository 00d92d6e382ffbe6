using Orchestrator.Contracts.V1;

using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Rendering;

/// <summary>The live watch view: the run's state and elapsed time above a table of its steps.</summary>
internal static class RunWatchView
{
    /// <summary>The view of <paramref name="run"/> at <paramref name="now"/>, with an optional note (a reconnect in progress).</summary>
    public static IRenderable Render(Run run, DateTimeOffset now, string? note = null)
    {
        var header = new Markup(
            $"run [bold]{Markup.Escape(run.Id)}[/]  {Markup.Escape($"{run.Pipeline}@{run.PipelineVersion}")}  " +
            $"[{StateStyle.Colour(run.State)}]{EnumText.Short(run.State)}[/]  " +
            $"{Markup.Escape(RunTables.StepProgress(run))} steps  {Humanize.Elapsed(run.StartedAt, run.FinishedAt, now)}");
        var parts = new List<IRenderable> { header, RunTables.Steps(run, now) };
        if (run.Message.Length > 0) parts.Add(new Text(run.Message));
        if (note is not null) parts.Add(new Markup($"[yellow]{Markup.Escape(note)}[/]"));
        return new Rows(parts);
    }
}
