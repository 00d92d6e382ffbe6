using Orchestrator.Core.Monitoring;

namespace Orchestrator.Grains.Monitoring;

/// <summary>The monitor of one model deployment's live traffic (key <c>tenant/model/deployment</c>, see
/// <see cref="Core.Models.ModelDeployments.Key"/>): tumbling windows against the baseline of the version it watches, drift
/// scores per closed window (a bounded history), and live metrics from late labels, in total and per serving version.</summary>
public interface IMonitorGrain : IGrainWithStringKey
{
    /// <summary>Takes prediction records and histograms binned at the source (histograms first; a bad one refuses the
    /// whole batch). The first call starts the monitor on <paramref name="version"/> (a number, an alias, "latest";
    /// empty: champion) of the model, whose baseline profile the windows are scored against.</summary>
    Task<IngestResult> IngestAsync(string version, ModelTask task, List<PredictionInput> records, List<HistogramInput> histograms);

    /// <summary>Takes prediction records as columns (and histograms, first, as <see cref="IngestAsync"/> does): the fast
    /// path, with the same windows as the same records one by one. The batch is passed by reference inside the silo.</summary>
    Task<IngestResult> IngestColumnsAsync(string version, ModelTask task, PredictionColumns columns, List<HistogramInput> histograms);

    /// <summary>Joins labels to waiting predictions by request id.</summary>
    Task<LabelResult> LabelAsync(List<LabelInput> labels);

    /// <summary>Sets the window and drift configuration (validated); the open window restarts under it.</summary>
    Task<MonitorSpec> SetConfigAsync(MonitorSpec spec);

    /// <summary>The configuration in force.</summary>
    Task<MonitorSpec> GetConfigAsync();

    /// <summary>The latest <paramref name="windows"/> closed windows, newest first, and the open window's progress.</summary>
    Task<DriftView> GetDriftAsync(int windows);
}

/// <summary>One prediction record.</summary>
[GenerateSerializer]
[Alias("orch.prediction-input")]
public sealed record PredictionInput(
    [property: Id(0)] string RequestId,
    [property: Id(1)] Dictionary<string, double> Numeric,
    [property: Id(2)] Dictionary<string, string> Categorical,
    [property: Id(3)] double Prediction,
    [property: Id(4)] string PredictedClass,
    [property: Id(5)] DateTimeOffset? Time,
    [property: Id(6)] int Version = 0);

/// <summary>A feature's values binned at the source: counts per bin (numeric) or per category (categorical).</summary>
[GenerateSerializer]
[Alias("orch.histogram-input")]
public sealed record HistogramInput(
    [property: Id(0)] string Feature,
    [property: Id(1)] List<long> Counts,
    [property: Id(2)] Dictionary<string, long> Categories);

/// <summary>One serving version's share of a closed window: predictions, labels joined, live metrics. What a rollout
/// compares (champion against challenger).</summary>
[GenerateSerializer]
[Alias("orch.version-metrics")]
public sealed record VersionMetricsRecord(
    [property: Id(0)] int Version,
    [property: Id(1)] long Predictions,
    [property: Id(2)] long Labeled,
    [property: Id(3)] Dictionary<string, double> Metrics);

/// <summary>A closed window's prediction distribution and its distance from the previous window's.</summary>
[GenerateSerializer]
[Alias("orch.prediction-distribution")]
public sealed record PredictionDistributionRecord(
    [property: Id(0)] List<double> Edges,
    [property: Id(1)] List<string> Classes,
    [property: Id(2)] List<long> Counts,
    [property: Id(3)] double? Psi,
    [property: Id(4)] double? JensenShannon);

/// <summary>A label for an earlier prediction.</summary>
[GenerateSerializer]
[Alias("orch.label-input")]
public sealed record LabelInput([property: Id(0)] string RequestId, [property: Id(1)] double Value, [property: Id(2)] string ClassName);

/// <summary>What an ingest did. A struct, so that the answer to every batch is copied by value rather than tracked
/// by reference in Orleans' copy of the response.</summary>
[GenerateSerializer]
[Alias("orch.ingest-result")]
public readonly record struct IngestResult([property: Id(0)] long Records, [property: Id(1)] int WindowsClosed);

/// <summary>What a label batch did.</summary>
[GenerateSerializer]
[Alias("orch.label-result")]
public sealed record LabelResult([property: Id(0)] long Joined, [property: Id(1)] long Unmatched);

/// <summary>A feature's scores in one closed window.</summary>
[GenerateSerializer]
[Alias("orch.feature-drift")]
public sealed record FeatureDriftRecord(
    [property: Id(0)] string Feature,
    [property: Id(1)] string Kind,
    [property: Id(2)] bool Drifted,
    [property: Id(3)] double Psi,
    [property: Id(4)] double JensenShannon,
    [property: Id(5)] double? KsStatistic,
    [property: Id(6)] double? KsPValue,
    [property: Id(7)] double? Wasserstein,
    [property: Id(8)] double? ChiSquared,
    [property: Id(9)] double? ChiSquaredPValue);

/// <summary>One closed window as kept in the monitor's history.</summary>
[GenerateSerializer]
[Alias("orch.drift-window")]
public sealed record DriftWindowRecord(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] DateTimeOffset End,
    [property: Id(2)] long Records,
    [property: Id(3)] bool Drifted,
    [property: Id(4)] double DriftedShare,
    [property: Id(5)] List<FeatureDriftRecord> Features,
    [property: Id(6)] Dictionary<string, double> Metrics)
{
    /// <summary>Predictions and live metrics per serving version (records that named one), by version.</summary>
    [Id(7)] public List<VersionMetricsRecord> ByVersion { get; init; } = [];

    /// <summary>The window's prediction distribution; null when it had none (or was stored before it was kept).</summary>
    [Id(8)] public PredictionDistributionRecord? Predictions { get; init; }
}

/// <summary>The monitor as answered.</summary>
[GenerateSerializer]
[Alias("orch.drift-view")]
public sealed record DriftView(
    [property: Id(0)] int Version,
    [property: Id(1)] List<DriftWindowRecord> Windows,
    [property: Id(2)] long OpenRecords,
    [property: Id(3)] DateTimeOffset? OpenSince,
    [property: Id(4)] long AwaitingLabels)
{
    /// <summary>The bin edges of every numeric feature, for clients that bin at the source; empty before the monitor started.</summary>
    [Id(5)] public Dictionary<string, List<double>> BinEdges { get; init; } = [];
}

/// <summary>Stored state of a monitor: what it watches and its recent windows.</summary>
[GenerateSerializer]
[Alias("orch.monitor-state")]
public sealed class MonitorState
{
    /// <summary>The version whose baseline it compares with; 0 before it started.</summary>
    [Id(0)] public int Version { get; set; }
    /// <summary>The model's task.</summary>
    [Id(1)] public ModelTask Task { get; set; }
    /// <summary>Closed windows, oldest first, at most <see cref="MonitorGrain.HistoryLimit"/>.</summary>
    [Id(2)] public List<DriftWindowRecord> History { get; set; } = [];
    /// <summary>The window and drift configuration set for this deployment; null for the defaults.</summary>
    [Id(3)] public MonitorSpec? Spec { get; set; }
}
