using Orchestrator.Core.Models.Gates;

namespace Orchestrator.Core.Rollouts;

/// <summary>Rolls a rollout back when the challenger's live <see cref="Metric"/> is worse than the champion's by more
/// than <see cref="MaxRegression"/>: an absolute drop for higher-is-better metrics (accuracy, auc), an absolute rise for
/// lower-is-better ones (mae, rmse).</summary>
/// <param name="Metric">A live metric the monitor reports: accuracy, auc, mae, rmse.</param>
/// <param name="MaxRegression">The largest tolerated difference, 0 or more.</param>
/// <param name="HigherIsBetter">The metric's direction; null takes it from <see cref="MetricDirection"/>.</param>
/// <param name="MinLabeled">Labeled predictions each version needs at the step before the guard judges.</param>
public sealed record RolloutGuard(string Metric, double MaxRegression, bool? HigherIsBetter = null, long MinLabeled = RolloutGuard.DefaultMinLabeled)
{
    /// <summary>Labeled predictions per version a guard waits for by default: fewer make a noisy estimate.</summary>
    public const long DefaultMinLabeled = 100;

    /// <summary>The direction: as given, or from the known-metric table.</summary>
    public bool IsHigherBetter => HigherIsBetter ?? MetricDirection.HigherIsBetter(Metric);
}
