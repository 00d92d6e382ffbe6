namespace Orchestrator.Core.Rollouts;

/// <summary>What a deployment's monitor saw in one closed window, per model version.</summary>
/// <param name="WindowEnd">When the window closed.</param>
/// <param name="Versions">One entry per version that served in the window.</param>
public sealed record RolloutObservation(DateTimeOffset WindowEnd, IReadOnlyList<VersionWindowStats> Versions);

/// <summary>One version's traffic and live metrics in one window.</summary>
/// <param name="Version">The model version.</param>
/// <param name="Predictions">Predictions it served.</param>
/// <param name="Labeled">Of those, how many were joined to a label (the metrics are over these).</param>
/// <param name="Metrics">Live metrics by name: accuracy, auc, mae, rmse.</param>
public sealed record VersionWindowStats(int Version, long Predictions, long Labeled, IReadOnlyDictionary<string, double> Metrics);
