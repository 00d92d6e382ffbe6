using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Monitoring;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>MonitoringService</c>: prediction and label traffic to the model's monitor grain, drift back.</summary>
public sealed partial class MonitoringService(IGrainFactory grains) : Contracts.V1.MonitoringService.MonitoringServiceBase
{
    /// <summary>Most records per batch.</summary>
    public const int MaxBatch = 10_000;

    /// <inheritdoc />
    public override async Task<StreamPredictionsResponse> StreamPredictions(IAsyncStreamReader<PredictionBatch> requestStream, ServerCallContext context)
    {
        var response = new StreamPredictionsResponse();
        var index = 0;
        await foreach (var batch in requestStream.ReadAllAsync(context.CancellationToken))
        {
            var monitor = Monitor(batch.Tenant, batch.Model, batch.Deployment);
            var task = Task(batch.Task);
            if (batch.Records.Count > MaxBatch)
                throw OrchestratorException.Invalid("records", $"batch {index} has {batch.Records.Count:N0} records, more than {MaxBatch:N0}: send smaller batches on the stream");
            if (batch.Histograms.Count > MaxBatch)
                throw OrchestratorException.Invalid("histograms", $"batch {index} has {batch.Histograms.Count:N0} histograms, more than {MaxBatch:N0}: send one per feature");
            var histograms = batch.Histograms.Select(h => new HistogramInput(h.Feature, [.. h.Counts], new Dictionary<string, long>(h.Categories, StringComparer.Ordinal))).ToList();
            IngestResult result;
            if (batch.Columns is { } columns)
            {
                if (batch.Records.Count > 0)
                    throw OrchestratorException.Invalid("columns", $"batch {index} has both records and columns: give the batch's records in one form (columns is the faster)");
                result = await monitor.IngestColumnsAsync(batch.Version, task, PredictionColumnsMapper.ToColumns(columns, index), histograms);
            }
            else
            {
                var records = batch.Records.Select((r, i) => ToInput(r, index, i)).ToList();
                result = await monitor.IngestAsync(batch.Version, task, records, histograms);
            }

            response.Records += result.Records;
            response.WindowsClosed += result.WindowsClosed;
            index++;
        }

        return response;
    }

    /// <inheritdoc />
    public override async Task<SendLabelsResponse> SendLabels(LabelBatch request, ServerCallContext context)
    {
        var monitor = Monitor(request.Tenant, request.Model, request.Deployment);
        if (request.Labels.Count > MaxBatch) throw OrchestratorException.Invalid("labels", $"{request.Labels.Count:N0} labels, more than {MaxBatch:N0}: send smaller batches");
        var labels = new List<LabelInput>(request.Labels.Count);
        for (var i = 0; i < request.Labels.Count; i++)
        {
            var label = request.Labels[i];
            if (label.RequestId.Length == 0) throw OrchestratorException.Invalid($"labels[{i}].request_id", "is required: a label is joined to its prediction by the request id");
            if (!double.IsFinite(label.Value)) throw OrchestratorException.Invalid($"labels[{i}].value", "must be a finite number (0 or 1 for a binary classifier)");
            labels.Add(new LabelInput(label.RequestId, label.Value, label.ClassName));
        }

        var result = await monitor.LabelAsync(labels);
        return new SendLabelsResponse { Joined = result.Joined, Unmatched = result.Unmatched };
    }

    /// <inheritdoc />
    public override async Task<GetDriftResponse> GetDrift(GetDriftRequest request, ServerCallContext context)
    {
        if (request.Windows is < 0 or > MonitorGrain.HistoryLimit) throw OrchestratorException.Invalid("windows", $"must be 0 (default 20) to {MonitorGrain.HistoryLimit}");
        var view = await Monitor(request.Tenant, request.Model, request.Deployment).GetDriftAsync(request.Windows == 0 ? 20 : request.Windows);
        var deployment = request.Deployment.Length == 0 ? ModelDeployments.Default : request.Deployment;
        if (view.Version == 0)
        {
            throw OrchestratorException.NotFound(
                $"model {RequestRules.Clip(request.Model)} has no monitor yet in deployment {deployment}: stream its predictions with StreamPredictions first");
        }

        var response = new GetDriftResponse
        {
            Version = view.Version, OpenRecords = view.OpenRecords, OpenSince = RunMapper.Time(view.OpenSince), AwaitingLabels = view.AwaitingLabels,
            Deployment = deployment,
        };
        foreach (var (feature, edges) in view.BinEdges)
        {
            var binEdges = new BinEdges();
            binEdges.Edges.AddRange(edges);
            response.BinEdges[feature] = binEdges;
        }

        foreach (var window in view.Windows)
        {
            var proto = new DriftWindow
            {
                Start = RunMapper.Time(window.Start), End = RunMapper.Time(window.End), Records = window.Records, Drifted = window.Drifted,
                DriftedShare = window.DriftedShare,
            };
            proto.Metrics.Add(window.Metrics);
            foreach (var version in window.ByVersion)
            {
                var metrics = new VersionMetrics { Version = version.Version, Predictions = version.Predictions, Labeled = version.Labeled };
                metrics.Metrics.Add(version.Metrics);
                proto.ByVersion.Add(metrics);
            }

            if (window.Predictions is { } predictions)
            {
                proto.Predictions = new Contracts.V1.PredictionDistribution();
                proto.Predictions.Edges.AddRange(predictions.Edges);
                proto.Predictions.Classes.AddRange(predictions.Classes);
                proto.Predictions.Counts.AddRange(predictions.Counts);
                if (predictions.Psi is { } psi) proto.Predictions.Psi = psi;
                if (predictions.JensenShannon is { } js) proto.Predictions.JsDistance = js;
            }

            foreach (var f in window.Features)
            {
                var feature = new FeatureDrift { Feature = f.Feature, Kind = f.Kind, Drifted = f.Drifted, Psi = f.Psi, JsDistance = f.JensenShannon };
                if (f.KsStatistic is { } ks) feature.KsStatistic = ks;
                if (f.KsPValue is { } ksp) feature.KsPvalue = ksp;
                if (f.Wasserstein is { } w) feature.Wasserstein = w;
                if (f.ChiSquared is { } chi) feature.Chi2Statistic = chi;
                if (f.ChiSquaredPValue is { } chip) feature.Chi2Pvalue = chip;
                proto.Features.Add(feature);
            }

            response.Windows.Add(proto);
        }

        return response;
    }

    private IMonitorGrain Monitor(string tenant, string model, string deployment)
    {
        var t = RequestRules.Tenant(tenant);
        if (model.Length == 0) throw OrchestratorException.Invalid("model", "is required: give the registered model's name, e.g. 'churn' (see `orch models list`)");
        if (!ModelNames.IsModelName(model)) throw OrchestratorException.Invalid("model", $"'{RequestRules.Clip(model)}' is not a model name: use 1-63 lowercase letters, digits and '-'");
        if (deployment.Length > 0 && !ModelDeployments.IsName(deployment))
            throw OrchestratorException.Invalid("deployment", $"'{RequestRules.Clip(deployment)}' is not a deployment name: use 1-63 lowercase letters, digits and '-' (or leave it empty for '{ModelDeployments.Default}')");
        return grains.GetGrain<IMonitorGrain>(ModelDeployments.Key(t, model, deployment));
    }

    private static ModelTask Task(string task) => task switch
    {
        "" or "binary" => ModelTask.BinaryClassification,
        "multiclass" => ModelTask.MulticlassClassification,
        "regression" => ModelTask.Regression,
        _ => throw OrchestratorException.Invalid("task", $"'{RequestRules.Clip(task)}' is not a task: use binary (the default), multiclass or regression"),
    };

    private static PredictionInput ToInput(PredictionRecord record, int batch, int index)
    {
        foreach (var (name, value) in record.Numeric)
        {
            if (name.Length == 0) throw OrchestratorException.Invalid($"records[{index}].numeric", $"batch {batch} has a feature with an empty name");
            if (double.IsInfinity(value)) throw OrchestratorException.Invalid($"records[{index}].numeric.{name}", $"batch {batch}: infinity is not a feature value; send NaN (or leave the feature out) for a missing one");
        }

        if (record.Version < 0) throw OrchestratorException.Invalid($"records[{index}].version", $"batch {batch}: {record.Version} is not a version: give the serving version's number, or 0 for the version the monitor watches");
        if (!double.IsFinite(record.Prediction)) throw OrchestratorException.Invalid($"records[{index}].prediction", $"batch {batch}: the prediction must be a finite number");
        return new PredictionInput(record.RequestId, new Dictionary<string, double>(record.Numeric, StringComparer.Ordinal),
            new Dictionary<string, string>(record.Categorical, StringComparer.Ordinal), record.Prediction, record.PredictedClass,
            record.Time is null ? null : record.Time.ToDateTimeOffset(), record.Version);
    }
}
