using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Commands;

/// <summary>Synthetic prediction traffic drawn from a model's baseline profile, optionally shifted, with labels that
/// make each serving version as accurate as asked: a stand-in for a serving layer, for demos and for trying monitors,
/// retraining and rollouts without one.</summary>
/// <param name="profile">The profile features are drawn from: numeric values resampled from its sample (or uniform
/// between its outer edges when it has none), categories by their frequencies.</param>
/// <param name="shift">Numeric values move by this many standard deviations of the profile's sample.</param>
/// <param name="seed">The random seed: the same seed gives the same traffic.</param>
internal sealed class SyntheticTraffic(BaselineProfile profile, double shift, int seed)
{
    private readonly Random _random = new(seed);
    private readonly (string Name, double[] Values, double Shift)[] _numeric = [.. profile.Numeric.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => Numeric(f.Key, f.Value, shift))];
    private readonly (string Name, string[] Categories, double[] Cumulative)[] _categorical = [.. profile.Categorical.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => Categorical(f.Key, f.Value))];

    /// <summary>One prediction of <paramref name="version"/> and its label: the prediction is right with probability
    /// <paramref name="accuracy"/> (a score above 0.5 for the positive class).</summary>
    public (PredictionRecord Record, Label Label) Next(string requestId, int version, double accuracy)
    {
        var record = new PredictionRecord { RequestId = requestId, Version = version };
        foreach (var (name, values, by) in _numeric) record.Numeric[name] = values[_random.Next(values.Length)] + by;
        foreach (var (name, categories, cumulative) in _categorical)
        {
            var index = Array.BinarySearch(cumulative, _random.NextDouble());
            record.Categorical[name] = categories[Math.Min(index < 0 ? ~index : index, categories.Length - 1)];
        }

        var truth = _random.NextDouble() < 0.5 ? 1 : 0;
        var right = _random.NextDouble() < accuracy;
        var positive = right ? truth == 1 : truth == 0;
        var confidence = 0.5 + 0.5 * _random.NextDouble();
        record.Prediction = positive ? confidence : 1 - confidence;
        return (record, new Label { RequestId = requestId, Value = truth });
    }

    /// <summary>True when the request goes to the challenger: a stable hash of its id against the challenger's share,
    /// as a serving layer routes (the same request always goes the same way).</summary>
    public static bool ToChallenger(string requestId, int challengerPercent)
    {
        var hash = 2166136261u;
        foreach (var c in requestId) hash = (hash ^ c) * 16777619u;
        return hash % 100 < (uint)challengerPercent;
    }

    private static (string, double[], double) Numeric(string name, NumericFeatureProfile feature, double shift)
    {
        double[] values = feature.Sample.Count > 0
            ? [.. feature.Sample]
            : [.. Enumerable.Range(0, 101).Select(i => feature.BinEdges[0] + (feature.BinEdges[^1] - feature.BinEdges[0]) * i / 100.0)];
        var mean = values.Average();
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        return (name, values, shift * (std > 0 ? std : 1));
    }

    private static (string, string[], double[]) Categorical(string name, CategoricalFeatureProfile feature)
    {
        var categories = feature.Frequencies.OrderBy(c => c.Key, StringComparer.Ordinal).ToArray();
        var cumulative = new double[categories.Length];
        var sum = 0.0;
        for (var i = 0; i < categories.Length; i++) cumulative[i] = sum += categories[i].Value;
        return (name, [.. categories.Select(c => c.Key)], cumulative);
    }
}
