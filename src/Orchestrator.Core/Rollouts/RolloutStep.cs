using System.Globalization;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Rollouts;

/// <summary>One traffic step. The rollout moves on when the step has lasted <see cref="Bake"/> and the challenger has
/// served at least <see cref="MinPredictions"/> predictions at it: both conditions, each skipped when zero, so a
/// quiet hour cannot advance a rollout that has seen no traffic and a burst cannot skip the bake time.</summary>
/// <param name="Percent">The challenger's share of requests, 1 to 100.</param>
/// <param name="Bake">How long the step is held at least; zero for no minimum.</param>
/// <param name="MinPredictions">Predictions the challenger must serve at this step at least; 0 for no minimum.</param>
public sealed record RolloutStep(int Percent, TimeSpan Bake, long MinPredictions = 0)
{
    /// <summary>The step in words, e.g. <c>50% 10m</c> or <c>50% 10m and 1,000 predictions</c>.</summary>
    public string Describe()
    {
        var hold = new List<string>(2);
        if (Bake > TimeSpan.Zero) hold.Add(Durations.Format(Bake));
        if (MinPredictions > 0) hold.Add($"{MinPredictions.ToString("N0", CultureInfo.InvariantCulture)} predictions");
        return hold.Count == 0 ? $"{Percent}%" : $"{Percent}% {string.Join(" and ", hold)}";
    }
}
