namespace Orchestrator.Core.Monitoring;

/// <summary>A batch of prediction records as columns: what a monitor takes from a high-volume serving layer without a
/// dictionary per record. Every per-record array holds <see cref="Records"/> entries; the arrays are not changed after
/// the batch is built (grain calls inside a silo pass it by reference).</summary>
/// <param name="Records">How many records the batch holds.</param>
/// <param name="NumericFeatures">Numeric feature names, each once; features the baseline does not know are ignored.</param>
/// <param name="Numeric">One column per numeric feature, in <paramref name="NumericFeatures"/> order; NaN for a missing value.</param>
/// <param name="CategoricalFeatures">Categorical feature names, each once.</param>
/// <param name="Categorical">One column per categorical feature, in <paramref name="CategoricalFeatures"/> order; an empty string for a missing value.</param>
/// <param name="Predictions">The model's answer per record (score of the positive class, or the regression value).</param>
/// <param name="PredictedClasses">The predicted class per record for a classifier by class name; null when none was sent.</param>
/// <param name="Versions">The serving version per record, 0 for the version the monitor watches; null when none was sent.</param>
public sealed record PredictionColumns(
    int Records,
    IReadOnlyList<string> NumericFeatures,
    IReadOnlyList<double[]> Numeric,
    IReadOnlyList<string> CategoricalFeatures,
    IReadOnlyList<string[]> Categorical,
    double[] Predictions,
    string[]? PredictedClasses,
    int[]? Versions)
{
    /// <summary>The serving layer's request id per record (empty: no label will join it); null when none was sent.</summary>
    public string[]? RequestIds { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when a column's length is not <see cref="Records"/> or the names
    /// and columns do not pair up: a caller's bug, since gateways check user input before building a batch.</summary>
    public void EnsureShape()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Records);
        if (NumericFeatures.Count != Numeric.Count) throw new ArgumentException($"{NumericFeatures.Count} numeric feature names for {Numeric.Count} columns", nameof(Numeric));
        if (CategoricalFeatures.Count != Categorical.Count) throw new ArgumentException($"{CategoricalFeatures.Count} categorical feature names for {Categorical.Count} columns", nameof(Categorical));
        if (Numeric.Any(c => c.Length != Records) || Categorical.Any(c => c.Length != Records))
            throw new ArgumentException($"every feature column must hold {Records} values", nameof(Numeric));
        if (Predictions.Length != Records) throw new ArgumentException($"{Predictions.Length} predictions for {Records} records", nameof(Predictions));
        if (PredictedClasses is { } classes && classes.Length != Records) throw new ArgumentException($"{classes.Length} predicted classes for {Records} records", nameof(PredictedClasses));
        if (Versions is { } versions && versions.Length != Records) throw new ArgumentException($"{versions.Length} versions for {Records} records", nameof(Versions));
        if (RequestIds is { } ids && ids.Length != Records) throw new ArgumentException($"{ids.Length} request ids for {Records} records", nameof(RequestIds));
    }
}
