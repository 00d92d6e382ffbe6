namespace Orchestrator.Core.Monitoring;

/// <summary>Prediction records added as columns: the monitor's fast path for streamed traffic.</summary>
public sealed partial class MonitorWindow
{
    /// <summary>Adds a batch of records given as columns, with the same outcome as adding each record with
    /// <see cref="Add(IReadOnlyDictionary{string, double}, IReadOnlyDictionary{string, string}, PredictionObservation?, DateTimeOffset)"/>
    /// in turn: the batch is cut where a window fills, so windows close at the same record. Version 0 in
    /// <see cref="PredictionColumns.Versions"/> counts as <paramref name="watchedVersion"/>. Returns the reports of the
    /// windows it closed, oldest first. (Reservoir samples draw their random slots feature by feature rather than record
    /// by record, so once a window outgrows its sample, KS and Wasserstein see another, equally uniform, sample.)</summary>
    public IReadOnlyList<WindowReport> AddBatch(PredictionColumns batch, int watchedVersion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.EnsureShape();
        var numeric = new NumericFeature?[batch.NumericFeatures.Count];
        for (var i = 0; i < numeric.Length; i++) numeric[i] = Array.Find(_numeric, f => f.Name == batch.NumericFeatures[i]);
        var categorical = new CategoricalFeature?[batch.CategoricalFeatures.Count];
        for (var i = 0; i < categorical.Length; i++) categorical[i] = Array.Find(_categorical, f => f.Name == batch.CategoricalFeatures[i]);

        var reports = new List<WindowReport>();
        if (batch.Records == 0) return reports;
        if (Tick(now) is { } expired) reports.Add(expired);
        var start = 0;
        while (start < batch.Records)
        {
            var count = (int)Math.Min(batch.Records - start, Math.Max(1, _spec.MaxRecords - Records));
            AddSlice(batch, numeric, categorical, start, count, watchedVersion);
            Records += count;
            start += count;
            if (Records >= _spec.MaxRecords && Close(now) is { } report) reports.Add(report);
        }

        return reports;
    }

    private void AddSlice(PredictionColumns batch, NumericFeature?[] numeric, CategoricalFeature?[] categorical, int start, int count, int watchedVersion)
    {
        var whole = start == 0 && count == batch.Records;
        for (var r = start; r < start + count; r++) _predictions.Add(batch.Predictions[r], batch.PredictedClasses is { } classes && classes[r].Length > 0 ? classes[r] : null);
        CountVersions(batch.Versions, start, count, watchedVersion);
        for (var i = 0; i < numeric.Length; i++)
        {
            // A slice is copied only where a window boundary cuts the batch.
            numeric[i]?.AddColumn(whole ? batch.Numeric[i] : batch.Numeric[i][start..(start + count)], _random);
        }

        for (var i = 0; i < categorical.Length; i++)
        {
            if (categorical[i] is not { } feature) continue;
            var column = batch.Categorical[i];
            for (var r = start; r < start + count; r++)
            {
                // An empty category is a missing value, as a feature left out of a record's map.
                if (column[r].Length > 0) feature.Add(column[r], 1);
            }
        }
    }

    /// <summary>Predictions per serving version, counted in runs so that a batch from one version costs one lookup.</summary>
    private void CountVersions(int[]? versions, int start, int count, int watchedVersion)
    {
        if (versions is null)
        {
            Version(watchedVersion).Predictions += count;
            return;
        }

        var r = start;
        while (r < start + count)
        {
            var version = versions[r];
            var run = r;
            while (r < start + count && versions[r] == version) r++;
            Version(version > 0 ? version : watchedVersion).Predictions += r - run;
        }
    }
}
