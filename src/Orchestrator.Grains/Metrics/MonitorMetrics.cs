using System.Globalization;
using Orchestrator.Grains.Monitoring;

namespace Orchestrator.Grains.Metrics;

/// <summary>One monitor's series: the latest closed window's drift and live metrics, and its counters. It remembers
/// what it set so that a deactivated monitor takes its series with it (series live only as long as active monitors).</summary>
internal sealed class MonitorMetrics(string tenant, string model, string deployment)
{
    /// <summary>Features exported per monitor, at most (the first by name): keeps a wide model's series bounded.</summary>
    public const int MaxFeatures = 50;

    private readonly List<string[]> _scores = [];
    private readonly List<string[]> _live = [];

    public void Ingested(int records)
    {
        if (records > 0) OrchestratorMetrics.MonitorPredictions.WithLabels(tenant, model, deployment).Inc(records);
    }

    public void Closed(int windows)
    {
        if (windows > 0) OrchestratorMetrics.MonitorWindowsClosed.WithLabels(tenant, model, deployment).Inc(windows);
    }

    /// <summary>Shows <paramref name="window"/> as the latest, replacing what the previous one set.</summary>
    public void Latest(DriftWindowRecord window)
    {
        RemoveWindowSeries();
        OrchestratorMetrics.ModelDatasetDrift.WithLabels(tenant, model, deployment).Set(window.Drifted ? 1 : 0);
        OrchestratorMetrics.ModelDriftedFeatureShare.WithLabels(tenant, model, deployment).Set(window.DriftedShare);
        foreach (var feature in window.Features.OrderBy(f => f.Feature, StringComparer.Ordinal).Take(MaxFeatures))
        {
            Score(feature.Feature, "psi", feature.Psi);
            Score(feature.Feature, "js_distance", feature.JensenShannon);
            Score(feature.Feature, "ks_statistic", feature.KsStatistic);
            Score(feature.Feature, "ks_pvalue", feature.KsPValue);
            Score(feature.Feature, "wasserstein", feature.Wasserstein);
            Score(feature.Feature, "chi2_statistic", feature.ChiSquared);
            Score(feature.Feature, "chi2_pvalue", feature.ChiSquaredPValue);
        }

        foreach (var (metric, value) in window.Metrics) Live("all", metric, value);
        foreach (var version in window.ByVersion)
        {
            foreach (var (metric, value) in version.Metrics) Live(version.Version.ToString(CultureInfo.InvariantCulture), metric, value);
        }
    }

    /// <summary>Removes every series of this monitor.</summary>
    public void Remove()
    {
        RemoveWindowSeries();
        OrchestratorMetrics.ModelDatasetDrift.RemoveLabelled(tenant, model, deployment);
        OrchestratorMetrics.ModelDriftedFeatureShare.RemoveLabelled(tenant, model, deployment);
        OrchestratorMetrics.MonitorPredictions.RemoveLabelled(tenant, model, deployment);
        OrchestratorMetrics.MonitorWindowsClosed.RemoveLabelled(tenant, model, deployment);
    }

    private void Score(string feature, string statistic, double? value)
    {
        if (value is not { } v || !double.IsFinite(v)) return;
        string[] labels = [tenant, model, deployment, feature, statistic];
        OrchestratorMetrics.ModelDriftScore.WithLabels(labels).Set(v);
        _scores.Add(labels);
    }

    private void Live(string version, string metric, double value)
    {
        string[] labels = [tenant, model, deployment, version, metric];
        OrchestratorMetrics.ModelLiveMetric.WithLabels(labels).Set(value);
        _live.Add(labels);
    }

    private void RemoveWindowSeries()
    {
        foreach (var labels in _scores) OrchestratorMetrics.ModelDriftScore.RemoveLabelled(labels);
        foreach (var labels in _live) OrchestratorMetrics.ModelLiveMetric.RemoveLabelled(labels);
        _scores.Clear();
        _live.Clear();
    }
}
