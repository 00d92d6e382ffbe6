using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;
using Orchestrator.Core.Pipelines;
using Orchestrator.Grains.Metrics;
using Orchestrator.Core.Rollouts;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Retraining;
using Orchestrator.Grains.Rollouts;

namespace Orchestrator.Grains.Monitoring;

/// <summary>One model deployment's monitor. The open window and the predictions waiting for labels live in memory (a restart
/// starts a new window and forgets them, as a serving layer's metrics pipeline would); closed windows are stored.</summary>
public sealed partial class MonitorGrain(
    [PersistentState("monitor")] IPersistentState<MonitorState> state,
    TimeProvider time) : Grain, IMonitorGrain
{
    /// <summary>Closed windows kept per monitor.</summary>
    public const int HistoryLimit = 500;

    /// <summary>How long a prediction waits for its label.</summary>
    public static readonly TimeSpan LabelWindow = TimeSpan.FromDays(7);

    /// <summary>Predictions waiting for labels, at most.</summary>
    public const int LabelCapacity = 200_000;

    private MonitorWindow? _window;
    private readonly LabelJoinBuffer _labels = new(LabelWindow, LabelCapacity);
    private MonitorMetrics? _metrics;
    private Core.Models.BaselineProfile? _profile;
    private DateTimeOffset? _rebasedAfter = DateTimeOffset.MinValue;

    private string Key => this.GetPrimaryKeyString();

    private MonitorMetrics Series => _metrics ??= NewSeries();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.History.Count > 0) Series.Latest(state.State.History[^1]);
        if (state.State.Version > 0)
        {
            try
            {
                await StartAsync(state.State.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), state.State.Task);
            }
            catch (OrchestratorException)
            {
                // The version is gone: the next batch starts the monitor on the one it names.
            }
        }

        // Windows also close by time when traffic stops.
        this.RegisterGrainTimer(_ => CloseByTimeAsync(), new GrainTimerCreationOptions { DueTime = TimeSpan.FromSeconds(30), Period = TimeSpan.FromSeconds(30) });
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // An inactive monitor's series go with it, so the exported series stay bounded by the active monitors.
        _metrics?.Remove();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<IngestResult> IngestAsync(string version, ModelTask task, List<PredictionInput> records, List<HistogramInput> histograms)
    {
        if (_window is null) await StartAsync(version, task);
        var closed = new List<WindowReport>();
        var now = time.GetUtcNow();
        AddHistograms(histograms, closed, now);
        foreach (var record in records)
        {
            var at = record.Time ?? now;
            // Version 0 is the version the monitor watches.
            var served = record.Version > 0 ? record.Version : state.State.Version;
            var predictedClass = record.PredictedClass.Length > 0 ? record.PredictedClass : null;
            if (record.RequestId.Length > 0)
                _labels.Add(new PendingPrediction(record.RequestId, record.Prediction, predictedClass, at, served), now);
            if (_window!.Add(record.Numeric, record.Categorical, new PredictionObservation(record.Prediction, predictedClass, served), now) is { } report) closed.Add(report);
        }

        Series.Ingested(records.Count);
        await KeepAsync(closed);
        return new IngestResult(records.Count, closed.Count);
    }

    /// <inheritdoc />
    public async Task<IngestResult> IngestColumnsAsync(string version, ModelTask task, PredictionColumns columns, List<HistogramInput> histograms)
    {
        columns.EnsureShape();
        if (_window is null) await StartAsync(version, task);
        var closed = new List<WindowReport>();
        var now = time.GetUtcNow();
        AddHistograms(histograms, closed, now);
        var watched = state.State.Version;
        if (columns.RequestIds is { } ids)
        {
            for (var r = 0; r < columns.Records; r++)
            {
                if (ids[r].Length == 0) continue;
                var served = columns.Versions is { } versions && versions[r] > 0 ? versions[r] : watched;
                var predictedClass = columns.PredictedClasses is { } classes && classes[r].Length > 0 ? classes[r] : null;
                _labels.Add(new PendingPrediction(ids[r], columns.Predictions[r], predictedClass, now, served), now);
            }
        }

        closed.AddRange(_window!.AddBatch(columns, watched, now));
        Series.Ingested(columns.Records);
        await KeepAsync(closed);
        return new IngestResult(columns.Records, closed.Count);
    }

    /// <summary>Histograms go first: a bad one refuses the batch before any of its records counted.</summary>
    private void AddHistograms(List<HistogramInput> histograms, List<WindowReport> closed, DateTimeOffset now)
    {
        if (histograms.Count == 0) return;
        try
        {
            if (_window!.AddHistograms([.. histograms.Select(h => new FeatureHistogram(h.Feature, h.Counts, h.Categories))], now) is { } report) closed.Add(report);
        }
        catch (ValidationException e)
        {
            throw OrchestratorException.From(e);
        }
    }

    /// <inheritdoc />
    public Task<LabelResult> LabelAsync(List<LabelInput> labels)
    {
        if (_window is null) throw OrchestratorException.Precondition($"model {Key} has no monitor yet: send its predictions first, then their labels");
        long joined = 0, unmatched = 0;
        var now = time.GetUtcNow();
        foreach (var label in labels)
        {
            if (_labels.Join(label.RequestId, now) is not { } prediction)
            {
                unmatched++;
                continue;
            }

            if (state.State.Task == ModelTask.MulticlassClassification) _window.AddClassLabel(prediction, label.ClassName);
            else _window.AddLabel(prediction, label.Value);
            joined++;
        }

        return Task.FromResult(new LabelResult(joined, unmatched));
    }

    /// <inheritdoc />
    public Task<DriftView> GetDriftAsync(int windows)
    {
        var history = state.State.History;
        var latest = history.Skip(Math.Max(0, history.Count - windows)).Reverse().ToList();
        var edges = _window?.BinEdges.ToDictionary(e => e.Key, e => e.Value.ToList(), StringComparer.Ordinal) ?? [];
        return Task.FromResult(new DriftView(state.State.Version, latest, _window?.Records ?? 0, _window?.Start, _labels.Count) { BinEdges = edges });
    }

    /// <summary>Starts watching a version: its baseline profile scores the windows.</summary>
    private async Task StartAsync(string version, ModelTask task)
    {
        var (tenant, model, _) = ModelDeployments.Parse(Key);
        var view = await GrainFactory.GetGrain<IModelGrain>(ModelGrain.KeyOf(tenant, model)).GetVersionAsync(version.Length == 0 ? "champion" : version);
        var profile = view.Record.Spec.Profile;
        if (profile.IsEmpty)
        {
            throw OrchestratorException.Precondition(
                $"version {view.Record.Version} of model {Key} has no baseline profile, so there is nothing to compare its traffic with: register a version with a profile, or name one with --version");
        }

        _profile = profile;
        _window = new MonitorWindow(profile, task, Spec, time.GetUtcNow());
        if (state.State.Version != view.Record.Version || state.State.Task != task)
        {
            state.State.Version = view.Record.Version;
            state.State.Task = task;
            await state.WriteStateAsync();
        }
    }

    private MonitorMetrics NewSeries()
    {
        var (tenant, model, deployment) = ModelDeployments.Parse(Key);
        return new MonitorMetrics(tenant, model, deployment);
    }

    private async Task CloseByTimeAsync()
    {
        if (_window?.Tick(time.GetUtcNow()) is { } report) await KeepAsync([report]);
    }

    private async Task KeepAsync(List<WindowReport> reports)
    {
        if (reports.Count == 0) return;
        var history = state.State.History;
        history.AddRange(reports.Select(ToRecord));
        if (history.Count > HistoryLimit) history.RemoveRange(0, history.Count - HistoryLimit);
        await state.WriteStateAsync();
        Series.Closed(reports.Count);
        Series.Latest(history[^1]);
        await TellAsync(reports);
    }

    /// <summary>Closed windows count towards the model's retraining triggers and judge its rollout's challenger. When
    /// the rollout has made another version champion, the next window compares traffic with that version's baseline.</summary>
    private async Task TellAsync(List<WindowReport> reports)
    {
        var (tenant, model, deployment) = ModelDeployments.Parse(Key);
        await GrainFactory.GetGrain<IRetrainingGrain>(ModelGrain.KeyOf(tenant, model)).OnWindowsAsync(deployment, [.. reports.Select(r => r.ToOutcome())]);
        var rollout = GrainFactory.GetGrain<IRolloutGrain>(Key);
        var watched = state.State.Version;
        RolloutProgress? progress = null;
        foreach (var report in reports.Where(r => r.ByVersion.Count > 0))
        {
            var versions = report.ByVersion.Select(v => new VersionWindowStats(v.Version == 0 ? watched : v.Version, v.Predictions, v.Labeled, v.Metrics)).ToList();
            progress = await rollout.ObserveAsync(new RolloutObservation(report.End, versions));
        }

        progress ??= await rollout.GetAsync();
        if (progress is { Phase: RolloutPhase.Completed } done && done.Challenger != watched && done.EndedAt > _rebasedAfter)
        {
            _rebasedAfter = done.EndedAt;
            try
            {
                await StartAsync(done.Challenger.ToString(System.Globalization.CultureInfo.InvariantCulture), state.State.Task);
                await GrainFactory.GetGrain<IRetrainingGrain>(ModelGrain.KeyOf(tenant, model)).OnBaselineChangedAsync(deployment, done.Challenger);
            }
            catch (OrchestratorException)
            {
                // The new champion has no profile: keep comparing with the old baseline.
            }
        }
    }

    private static DriftWindowRecord ToRecord(WindowReport report)
    {
        var decisions = report.Drift.Features.ToDictionary(f => f.Feature, f => f.Drifted, StringComparer.Ordinal);
        var features = report.Scores.Select(s => new FeatureDriftRecord(
            s.Feature, s.Kind == FeatureKind.Numeric ? "numeric" : "categorical", decisions.GetValueOrDefault(s.Feature), s.Psi, s.JensenShannon,
            s.KolmogorovSmirnov?.Statistic, s.KolmogorovSmirnov?.PValue, s.WassersteinNormalized, s.ChiSquared?.Statistic, s.ChiSquared?.PValue)).ToList();
        return new DriftWindowRecord(report.Start, report.End, report.Records, report.Drift.Drifted, report.Drift.DriftedShare, features,
            new Dictionary<string, double>(report.Metrics, StringComparer.Ordinal))
        {
            ByVersion = [.. report.ByVersion.Select(v => new VersionMetricsRecord(v.Version, v.Predictions, v.Labeled, new Dictionary<string, double>(v.Metrics, StringComparer.Ordinal)))],
            Predictions = report.Predictions is { } p ? new PredictionDistributionRecord([.. p.Edges], [.. p.Classes], [.. p.Counts], p.Psi, p.JensenShannon) : null,
        };
    }
}
