using System.Globalization;

using Orchestrator.Contracts.V1;

using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Rendering;

/// <summary>Rollout plans as tables.</summary>
internal static class RolloutTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A deployment's plan: a title line, one row per step, one row per guard.</summary>
    public static IRenderable Plan(string model, string deployment, RolloutPlan plan)
    {
        var title = new Text($"model {model}, deployment {(deployment.Length > 0 ? deployment : "default")}: rollout plan, {Count(plan.Steps.Count, "step")}, {Count(plan.Guards.Count, "guard")}");
        var steps = Tables.Create("STEP", "CHALLENGER", "BAKE", "MIN PREDICTIONS");
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            var bake = step.Bake?.ToTimeSpan() ?? TimeSpan.Zero;
            Tables.AddRow(steps, (i + 1).ToString(Invariant), $"{step.Percent}%", bake > TimeSpan.Zero ? Humanize.Duration(bake) : "-",
                step.MinPredictions > 0 ? step.MinPredictions.ToString("N0", Invariant) : "-");
        }

        var parts = new List<IRenderable> { title, new Text(""), steps };
        if (plan.Guards.Count == 0)
        {
            // Said out loud: without a guard nothing rolls the rollout back by itself.
            parts.Add(new Text(""));
            parts.Add(new Text("no guards: the rollout never rolls back by itself"));
            return new Rows(parts);
        }

        var guards = Tables.Create("GUARD", "MAX REGRESSION", "DIRECTION", "MIN LABELED");
        foreach (var guard in plan.Guards)
        {
            Tables.AddRow(guards, guard.Metric, guard.MaxRegression.ToString("0.####", Invariant),
                guard.Direction.Length > 0 ? guard.Direction : "from the name",
                guard.MinLabeled > 0 ? guard.MinLabeled.ToString("N0", Invariant) : "100 (default)");
        }

        parts.Add(new Text(""));
        parts.Add(guards);
        return new Rows(parts);
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
