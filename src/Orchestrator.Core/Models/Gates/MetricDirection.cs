namespace Orchestrator.Core.Models.Gates;

/// <summary>Whether a higher value of a metric is better, when a gate does not say.</summary>
public static class MetricDirection
{
    /// <summary>Metric names (before any <c>@segment</c>) where lower is better; every other metric is higher-is-better.</summary>
    public static IReadOnlySet<string> LowerIsBetter { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "loss", "log_loss", "logloss", "val_loss", "rmse", "mse", "mae", "mape", "smape", "error", "error_rate", "brier", "brier_score",
        "perplexity", "latency", "latency_ms", "wer", "cer",
    };

    /// <summary>True unless the metric is known to be lower-is-better; a prefix such as <c>val/</c> and a segment such
    /// as <c>@group=a</c> are not part of the name looked up.</summary>
    public static bool HigherIsBetter(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var at = metric.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? metric : metric[..at];
        return !LowerIsBetter.Contains(name[(name.LastIndexOf('/') + 1)..]);
    }
}
