using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Models.Gates;

/// <summary>Checks a model's gate list before it is stored; every problem is reported with its field path
/// (<c>gates[2].segment_gap.segments[1]</c>, as in the YAML file of <c>orch models gates set</c>) and the fix.</summary>
public static class GateValidator
{
    /// <summary>Most gates per model.</summary>
    public const int MaxGates = 64;

    /// <summary>Most segments in one segment-gap gate.</summary>
    public const int MaxSegments = 100;

    /// <summary>The gates, normalized (threshold expressions in canonical form, every direction explicit), when all are valid.</summary>
    /// <exception cref="ValidationException">With every problem found.</exception>
    public static IReadOnlyList<ValidationGate> Validate(IReadOnlyList<ValidationGate> gates)
    {
        ArgumentNullException.ThrowIfNull(gates);
        var errors = new List<ValidationError>();
        if (gates.Count > MaxGates) errors.Add(new("gates", $"has {gates.Count} gates; at most {MaxGates}: merge or drop some"));
        var valid = new List<ValidationGate>(gates.Count);
        for (var i = 0; i < gates.Count; i++) valid.Add(Check(gates[i], $"gates[{i}]", errors));
        if (errors.Count > 0) throw new ValidationException(errors);
        return valid;
    }

    private static ValidationGate Check(ValidationGate gate, string path, List<ValidationError> errors)
    {
        if (gate.Name.Length > 128) errors.Add(new($"{path}.name", $"is {gate.Name.Length} characters; at most 128"));
        return gate.Kind switch
        {
            GateKind.MetricThreshold => CheckThreshold(gate, $"{path}.metric_threshold", errors),
            GateKind.BeatChampion => CheckBeatChampion(gate, $"{path}.beat_champion", errors),
            GateKind.SegmentGap => CheckSegmentGap(gate, $"{path}.segment_gap", errors),
            GateKind.MaxArtifactSize => CheckSize(gate, $"{path}.max_artifact_size", errors),
            _ => Refuse(gate, path, "has no kind: give exactly one of metric_threshold, beat_champion, segment_gap, max_artifact_size", errors),
        };
    }

    private static ValidationGate CheckThreshold(ValidationGate gate, string path, List<ValidationError> errors)
    {
        if (gate.Expression.Length == 0)
            return Refuse(gate, $"{path}.expression", "is required: give a condition such as 'auc>=0.8'", errors);
        try
        {
            return gate with { Expression = MetricFilter.Parse(gate.Expression, $"{path}.expression").ToString() };
        }
        catch (ValidationException e)
        {
            errors.AddRange(e.Errors);
            return gate;
        }
    }

    private static ValidationGate CheckBeatChampion(ValidationGate gate, string path, List<ValidationError> errors)
    {
        CheckMetric(gate.Metric, $"{path}.metric", errors);
        if (!double.IsFinite(gate.Margin) || gate.Margin < 0)
            errors.Add(new($"{path}.margin", $"{WhatNumber(gate.Margin)} is not a margin: give how much better than the champion, 0 or more (e.g. 0.01)"));
        return gate with { HigherIsBetter = gate.HigherIsBetter ?? MetricDirection.HigherIsBetter(gate.Metric) };
    }

    private static ValidationGate CheckSegmentGap(ValidationGate gate, string path, List<ValidationError> errors)
    {
        var metricOk = CheckMetric(gate.Metric, $"{path}.metric", errors);
        if (metricOk && gate.Metric.Contains('@', StringComparison.Ordinal))
            errors.Add(new($"{path}.metric", $"'{ModelVersionValidator.Clip(gate.Metric)}' names a segment; give the metric alone (accuracy) and the segments in segments (group=a)"));
        if (gate.Segments.Count is < 2 or > MaxSegments)
            errors.Add(new($"{path}.segments", $"has {gate.Segments.Count} segments; give 2 to {MaxSegments} (e.g. [group=a, group=b]) to compare"));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < gate.Segments.Count; j++)
        {
            var segment = gate.Segments[j];
            if (segment.Length == 0 || segment.Contains('@', StringComparison.Ordinal) || !ModelNames.IsMetricName($"{(metricOk ? gate.Metric : "m")}@{segment}"))
                errors.Add(new($"{path}.segments[{j}]", $"'{ModelVersionValidator.Clip(segment)}' is not a segment: use letters, digits, '_', '.', ':', '/', '-' or '=' (e.g. group=a), read from the metric METRIC@SEGMENT"));
            else if (!seen.Add(segment))
                errors.Add(new($"{path}.segments[{j}]", $"'{segment}' is listed twice; list each segment once"));
        }

        if (!double.IsFinite(gate.MaxGap) || gate.MaxGap < 0)
            errors.Add(new($"{path}.max_gap", $"{WhatNumber(gate.MaxGap)} is not a gap: give the largest allowed difference, 0 or more (e.g. 0.05)"));
        return gate;
    }

    private static ValidationGate CheckSize(ValidationGate gate, string path, List<ValidationError> errors)
    {
        if (gate.MaxBytes <= 0) errors.Add(new($"{path}.max_bytes", $"{gate.MaxBytes} is not a size: give the largest allowed artifact in bytes (more than 0)"));
        return gate;
    }

    private static bool CheckMetric(string metric, string path, List<ValidationError> errors)
    {
        if (metric.Length == 0)
        {
            errors.Add(new(path, "is required: give the metric's name as registered (e.g. auc)"));
            return false;
        }

        if (ModelNames.IsMetricName(metric)) return true;
        errors.Add(new(path, $"'{ModelVersionValidator.Clip(metric)}' is not a metric name: use 1-128 letters, digits, '_', '.', ':', '/', '-'"));
        return false;
    }

    private static ValidationGate Refuse(ValidationGate gate, string path, string message, List<ValidationError> errors)
    {
        errors.Add(new(path, message));
        return gate;
    }

    private static string WhatNumber(double value) => ValidationGate.Format(value);
}
