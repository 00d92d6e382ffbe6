using System.Globalization;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Models;

/// <summary>How a metric is compared with a threshold.</summary>
public enum MetricComparisonOperator
{
    /// <summary><c>&gt;=</c></summary>
    AtLeast,
    /// <summary><c>&gt;</c></summary>
    GreaterThan,
    /// <summary><c>&lt;=</c></summary>
    AtMost,
    /// <summary><c>&lt;</c></summary>
    LessThan,
    /// <summary><c>=</c> or <c>==</c></summary>
    EqualTo,
    /// <summary><c>!=</c></summary>
    NotEqualTo,
}

/// <summary>A threshold on one metric, such as <c>auc&gt;=0.8</c>; a version without the metric does not pass.</summary>
public sealed record MetricFilter
{
    private static readonly (string Text, MetricComparisonOperator Operator)[] Operators =
    [
        (">=", MetricComparisonOperator.AtLeast), ("<=", MetricComparisonOperator.AtMost), ("==", MetricComparisonOperator.EqualTo),
        ("!=", MetricComparisonOperator.NotEqualTo), (">", MetricComparisonOperator.GreaterThan), ("<", MetricComparisonOperator.LessThan),
        ("=", MetricComparisonOperator.EqualTo),
    ];

    /// <summary>The metric's name.</summary>
    public required string Metric { get; init; }

    /// <summary>The comparison.</summary>
    public required MetricComparisonOperator Operator { get; init; }

    /// <summary>The threshold.</summary>
    public required double Threshold { get; init; }

    /// <summary>Reads <c>NAME OP NUMBER</c> (spaces allowed around the operator).</summary>
    /// <exception cref="ValidationException">Naming <paramref name="field"/>, with the fix.</exception>
    public static MetricFilter Parse(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Example = "write it like 'auc>=0.8' (operators >=, >, <=, <, =, !=)";
        // The operator is the last one in the text: a threshold is a number, but a segment's metric name may hold '='
        // (accuracy@group=a>=0.9).
        var at = text.LastIndexOfAny(['<', '>', '=', '!']);
        if (at < 0) throw new ValidationException(field, $"'{ModelVersionValidator.Clip(text)}' has no comparison; {Example}");
        if (at > 0 && text[at] == '=' && text[at - 1] is '<' or '>' or '=' or '!') at--;
        var match = Operators.FirstOrDefault(o => text.AsSpan(at).StartsWith(o.Text, StringComparison.Ordinal));
        if (match.Text is null) throw new ValidationException(field, $"'{ModelVersionValidator.Clip(text)}' has no comparison; {Example}");
        var (symbol, op) = match;
        var metric = text[..at].Trim();
        var threshold = text[(at + symbol.Length)..].Trim();
        if (!ModelNames.IsMetricName(metric))
            throw new ValidationException(field, $"'{ModelVersionValidator.Clip(metric)}' is not a metric name; {Example}");
        if (!double.TryParse(threshold, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new ValidationException(field, $"'{ModelVersionValidator.Clip(threshold)}' in '{ModelVersionValidator.Clip(text)}' is not a number; {Example}");
        return new MetricFilter { Metric = metric, Operator = op, Threshold = value };
    }

    /// <summary>True when the metrics have this metric and it passes the threshold.</summary>
    public bool Matches(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (!metrics.TryGetValue(Metric, out var value)) return false;
        return Operator switch
        {
            MetricComparisonOperator.AtLeast => value >= Threshold,
            MetricComparisonOperator.GreaterThan => value > Threshold,
            MetricComparisonOperator.AtMost => value <= Threshold,
            MetricComparisonOperator.LessThan => value < Threshold,
            MetricComparisonOperator.EqualTo => value == Threshold,
            _ => value != Threshold,
        };
    }

    /// <summary>The operator as written: <c>&gt;=</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&lt;</c>, <c>==</c>, <c>!=</c>.</summary>
    public string Symbol => Operators.First(o => o.Operator == Operator).Text;

    /// <inheritdoc />
    public override string ToString() => $"{Metric}{Symbol}{Threshold.ToString("R", CultureInfo.InvariantCulture)}";
}
