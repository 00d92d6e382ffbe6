namespace Orchestrator.Core.Monitoring;

/// <summary>One serving version's share of a closed window: what a rollout compares (champion against challenger).</summary>
/// <param name="Version">The model version that served the predictions.</param>
/// <param name="Predictions">Prediction records it served in the window.</param>
/// <param name="Labeled">Labels joined to its predictions during the window.</param>
/// <param name="Metrics">Its live metrics over those labels (accuracy, auc, mae, rmse); empty without labels.</param>
public sealed record VersionStats(int Version, long Predictions, long Labeled, IReadOnlyDictionary<string, double> Metrics);
