using System.Globalization;

namespace Orchestrator.Core.Models.Gates;

/// <summary>Checks a version against a model's gates: one result per gate, each with the value measured, the bound
/// and a message saying what to do.</summary>
public static class GateEvaluator
{
    /// <summary>Slack on margins and gaps, so that 0.89 - 0.88 counts as a margin of 0.01 despite binary rounding.</summary>
    public const double Tolerance = 1e-9;

    /// <summary>Evaluates <paramref name="gates"/> (validated) on <paramref name="candidate"/>; <paramref name="champion"/>
    /// is the version <c>champion</c> names, or null when there is none.</summary>
    public static GateEvaluation Evaluate(IReadOnlyList<ValidationGate> gates, GateSubject candidate, GateSubject? champion,
        int gatesRevision, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(gates);
        ArgumentNullException.ThrowIfNull(candidate);
        var results = gates.Select(g => Evaluate(g, candidate, champion)).ToList();
        return new GateEvaluation
        {
            Version = candidate.Version, Passed = results.TrueForAll(r => r.Passed), Results = results, EvaluatedAt = at,
            GatesRevision = gatesRevision, ChampionVersion = champion?.Version ?? 0,
        };
    }

    /// <summary>One gate on one version.</summary>
    public static GateResult Evaluate(ValidationGate gate, GateSubject candidate, GateSubject? champion)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(candidate);
        return gate.Kind switch
        {
            GateKind.MetricThreshold => Threshold(gate, candidate),
            GateKind.BeatChampion => BeatChampion(gate, candidate, champion),
            GateKind.SegmentGap => SegmentGap(gate, candidate),
            GateKind.MaxArtifactSize => Size(gate, candidate),
            _ => Result(gate, false, null, null, "", "the gate has no kind; set the gates again with a valid list"),
        };
    }

    private static GateResult Threshold(ValidationGate gate, GateSubject candidate)
    {
        var filter = MetricFilter.Parse(gate.Expression, "expression");
        var symbol = filter.Symbol;
        if (!candidate.Spec.Metrics.TryGetValue(filter.Metric, out var value))
            return Result(gate, false, null, filter.Threshold, symbol, Missing(candidate, filter.Metric));
        var passed = filter.Matches(candidate.Spec.Metrics);
        return Result(gate, passed, value, filter.Threshold, symbol, passed
            ? $"{filter.Metric} is {F(value)}, within {symbol} {F(filter.Threshold)}"
            : $"{filter.Metric} is {F(value)}; it must be {symbol} {F(filter.Threshold)}: improve the model, or change the gate if the bound is wrong");
    }

    private static GateResult BeatChampion(ValidationGate gate, GateSubject candidate, GateSubject? champion)
    {
        var higher = gate.HigherIsBetter ?? MetricDirection.HigherIsBetter(gate.Metric);
        var symbol = higher ? ">=" : "<=";
        var hasValue = candidate.Spec.Metrics.TryGetValue(gate.Metric, out var value);
        if (champion is null)
            return Result(gate, true, hasValue ? value : null, null, symbol, "no champion yet, so there is nothing to beat: passed");
        if (champion.Version == candidate.Version)
            return Result(gate, true, hasValue ? value : null, null, symbol, $"version {candidate.Version} is the champion itself: passed");
        if (!hasValue) return Result(gate, false, null, null, symbol, Missing(candidate, gate.Metric));
        if (!champion.Spec.Metrics.TryGetValue(gate.Metric, out var best))
        {
            return Result(gate, false, value, null, symbol,
                $"the champion (version {champion.Version}) has no metric {gate.Metric} to compare with; evaluate it on {gate.Metric} and register it again, or drop this gate");
        }

        var bound = higher ? best + gate.Margin : best - gate.Margin;
        var gain = higher ? value - best : best - value;
        var passed = gain >= gate.Margin - Tolerance;
        var better = higher ? "higher" : "lower";
        return Result(gate, passed, value, bound, symbol, passed
            ? $"{gate.Metric} {F(value)} beats the champion (version {champion.Version}, {F(best)}) by {F(gain)}; the margin is {F(gate.Margin)}"
            : $"{gate.Metric} {F(value)} does not beat the champion (version {champion.Version}, {F(best)}) by {F(gate.Margin)} ({better} is better): it must be {symbol} {F(bound)}");
    }

    private static GateResult SegmentGap(ValidationGate gate, GateSubject candidate)
    {
        var values = new List<(string Segment, double Value)>();
        var missing = new List<string>();
        foreach (var segment in gate.Segments)
        {
            var name = $"{gate.Metric}@{segment}";
            if (candidate.Spec.Metrics.TryGetValue(name, out var value)) values.Add((segment, value));
            else missing.Add(name);
        }

        if (missing.Count > 0)
        {
            return Result(gate, false, null, gate.MaxGap, "<=",
                $"version {candidate.Version} has no metric {string.Join(", ", missing)}; register the version with every segment's metric (metrics.{missing[0]}), or drop the segment from the gate");
        }

        var low = values.MinBy(v => v.Value);
        var high = values.MaxBy(v => v.Value);
        var gap = high.Value - low.Value;
        var passed = gap <= gate.MaxGap + Tolerance;
        var between = $"{gate.Metric} gap {F(gap)} between {high.Segment} ({F(high.Value)}) and {low.Segment} ({F(low.Value)})";
        return Result(gate, passed, gap, gate.MaxGap, "<=", passed
            ? $"{between} is within {F(gate.MaxGap)}"
            : $"{between} is over {F(gate.MaxGap)}: reduce the disparity (rebalance or reweight the training data) before promoting");
    }

    private static GateResult Size(ValidationGate gate, GateSubject candidate)
    {
        var size = candidate.Spec.Artifact.SizeBytes;
        var passed = size <= gate.MaxBytes;
        return Result(gate, passed, size, gate.MaxBytes, "<=", passed
            ? $"artifact is {Bytes(size)} bytes, within {Bytes(gate.MaxBytes)}"
            : $"artifact is {Bytes(size)} bytes, over the limit of {Bytes(gate.MaxBytes)}: shrink the model (quantize, prune) or raise the limit");
    }

    private static string Missing(GateSubject candidate, string metric) =>
        $"version {candidate.Version} has no metric {metric}; register the version with it (metrics.{metric}) to pass this gate";

    private static GateResult Result(ValidationGate gate, bool passed, double? value, double? bound, string comparison, string message) => new()
    {
        Gate = gate.DisplayName, Kind = gate.Kind, Passed = passed, Value = value, Bound = bound, Comparison = comparison, Message = message,
    };

    private static string F(double value) => ValidationGate.Format(value);

    private static string Bytes(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
