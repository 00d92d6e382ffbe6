using Google.Protobuf;
using Google.Protobuf.Collections;
using Orchestrator.Core.Monitoring;
using Orchestrator.Grains;
using Orchestrator.Gateway.Services;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Checks a batch's columns and turns them into the monitor's <see cref="Core.Monitoring.PredictionColumns"/>
/// with one copy per column and no per-record objects.</summary>
public static class PredictionColumnsMapper
{
    /// <summary>The batch's columns; throws INVALID_ARGUMENT naming <c>columns.&lt;field&gt;</c> (and the batch's index on
    /// the stream) before anything is applied.</summary>
    public static PredictionColumns ToColumns(Contracts.V1.PredictionColumns columns, int batch)
    {
        var records = columns.Records;
        if (records < 1 || records > MonitoringService.MaxBatch)
            throw Invalid("records", batch, $"{records} is not a record count: give 1 to {MonitoringService.MaxBatch:N0} (the records in this batch)");

        CheckNames(columns.NumericFeatures, "numeric_features", batch);
        CheckNames(columns.CategoricalFeatures, "categorical_features", batch);
        foreach (var name in columns.NumericFeatures.Intersect(columns.CategoricalFeatures, StringComparer.Ordinal))
            throw Invalid("categorical_features", batch, $"'{RequestRules.Clip(name)}' is also a numeric feature: name each feature once");

        var expected = (long)columns.NumericFeatures.Count * records;
        if (columns.Values.Count != expected)
        {
            throw Invalid("values", batch,
                $"has {columns.Values.Count:N0} values, not {columns.NumericFeatures.Count} numeric features x {records:N0} records = {expected:N0}: give every record's value of each feature in turn (feature-major), NaN for a missing one");
        }

        var expectedCategories = (long)columns.CategoricalFeatures.Count * records;
        if (columns.Categories.Count != expectedCategories)
        {
            throw Invalid("categories", batch,
                $"has {columns.Categories.Count:N0} categories, not {columns.CategoricalFeatures.Count} categorical features x {records:N0} records = {expectedCategories:N0}: give every record's category of each feature in turn, empty for a missing one");
        }

        CheckPerRecord(columns.RequestIds.Count, records, "request_ids", batch);
        CheckPerRecord(columns.Predictions.Count, records, "predictions", batch);
        CheckPerRecord(columns.PredictedClasses.Count, records, "predicted_classes", batch);
        CheckPerRecord(columns.Versions.Count, records, "versions", batch);

        // Spans over the parsed fields: each column is copied once, straight into its own array.
        var values = UnsafeCollectionOperations.AsSpan(columns.Values);
        var infinity = values.IndexOfAny(double.PositiveInfinity, double.NegativeInfinity);
        if (infinity >= 0)
        {
            var feature = columns.NumericFeatures[infinity / records];
            throw Invalid("values", batch,
                $"record {infinity % records} of feature '{RequestRules.Clip(feature)}' is infinite: send NaN for a missing value, finite numbers otherwise");
        }

        var numeric = new double[columns.NumericFeatures.Count][];
        for (var f = 0; f < numeric.Length; f++) numeric[f] = values.Slice(f * records, records).ToArray();
        var categorical = new string[columns.CategoricalFeatures.Count][];
        for (var f = 0; f < categorical.Length; f++)
        {
            categorical[f] = new string[records];
            for (var r = 0; r < records; r++) categorical[f][r] = columns.Categories[f * records + r];
        }

        var predictions = columns.Predictions.Count > 0 ? UnsafeCollectionOperations.AsSpan(columns.Predictions).ToArray() : new double[records];
        var notFinite = predictions.AsSpan().IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
        if (notFinite >= 0) throw Invalid("predictions", batch, $"record {notFinite}: the prediction must be a finite number");

        int[]? versions = null;
        if (columns.Versions.Count > 0)
        {
            versions = UnsafeCollectionOperations.AsSpan(columns.Versions).ToArray();
            var negative = Array.FindIndex(versions, v => v < 0);
            if (negative >= 0)
                throw Invalid("versions", batch, $"record {negative}: {versions[negative]} is not a version: give the serving version's number, or 0 for the version the monitor watches");
        }

        return new PredictionColumns(records, [.. columns.NumericFeatures], numeric, [.. columns.CategoricalFeatures], categorical, predictions,
            columns.PredictedClasses.Count > 0 ? [.. columns.PredictedClasses] : null, versions)
        {
            RequestIds = columns.RequestIds.Count > 0 ? [.. columns.RequestIds] : null,
        };
    }

    private static void CheckNames(RepeatedField<string> names, string field, int batch)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i].Length == 0) throw Invalid($"{field}[{i}]", batch, "is empty: give the feature's name in the baseline profile");
            if (!seen.Add(names[i])) throw Invalid($"{field}[{i}]", batch, $"'{RequestRules.Clip(names[i])}' is named twice: name each feature once");
        }
    }

    private static void CheckPerRecord(int count, int records, string field, int batch)
    {
        if (count != 0 && count != records)
            throw Invalid(field, batch, $"has {count:N0} entries for {records:N0} records: give one per record, or none");
    }

    private static OrchestratorException Invalid(string field, int batch, string message) =>
        OrchestratorException.Invalid($"columns.{field}", $"batch {batch}: {message}");
}
