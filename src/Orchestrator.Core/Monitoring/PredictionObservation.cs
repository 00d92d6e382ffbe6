namespace Orchestrator.Core.Monitoring;

/// <summary>What the model answered for one record, and which version answered it.</summary>
/// <param name="Prediction">The score of the positive class, or the regression value.</param>
/// <param name="PredictedClass">The class for a classifier by class name; null otherwise.</param>
/// <param name="Version">The serving version (the monitor's caller resolves "the watched version" to its number).</param>
public readonly record struct PredictionObservation(double Prediction, string? PredictedClass, int Version);
