using Orchestrator.Core.Drift;

namespace Orchestrator.Core.Monitoring;

/// <summary>A closed window's distribution of predictions, and how far it moved from the window before it.</summary>
/// <param name="Edges">Bin edges of a score or value (empty for classes): a binary classifier's scores in ten equal bins
/// of [0, 1]; a regressor's values in the deciles of the first window that had predictions.</param>
/// <param name="Classes">The classes counted, for a classifier by class name (empty otherwise).</param>
/// <param name="Counts">Predictions per bin (one more than the edges) or per class.</param>
/// <param name="Psi">PSI of this window's distribution against the previous window's; null for the first.</param>
/// <param name="JensenShannon">Jensen-Shannon distance against the previous window's; null for the first.</param>
public sealed record PredictionDistribution(IReadOnlyList<double> Edges, IReadOnlyList<string> Classes, IReadOnlyList<long> Counts, double? Psi, double? JensenShannon);

/// <summary>Counts a monitor's predictions per window. The baseline profile describes features only, so the prediction
/// distribution is compared window over window (a model whose outputs move while its inputs do not is worth a look).</summary>
public sealed class PredictionHistogram
{
    /// <summary>Predictions kept to learn a regressor's bins from its first window.</summary>
    public const int LearningSample = 1_000;

    private static readonly double[] ScoreEdges = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    private readonly ModelTask _task;
    private readonly Random _random;
    private readonly List<double> _learning = [];
    private readonly Dictionary<string, long> _classes = new(StringComparer.Ordinal);
    private QuantileBinning? _bins;
    private long[] _counts = [];
    private long _seen;
    private PredictionDistribution? _previous;

    /// <summary>A histogram for a model of <paramref name="task"/>; <paramref name="seed"/> drives a regressor's learning sample.</summary>
    public PredictionHistogram(ModelTask task, int seed)
    {
        _task = task;
        _random = new Random(seed);
        if (task == ModelTask.BinaryClassification) SetBins(new QuantileBinning(ScoreEdges));
    }

    /// <summary>Counts one prediction.</summary>
    public void Add(double prediction, string? predictedClass)
    {
        if (_task == ModelTask.MulticlassClassification)
        {
            var name = predictedClass ?? "";
            _classes[name] = _classes.GetValueOrDefault(name) + 1;
            return;
        }

        if (!double.IsFinite(prediction)) return;
        if (_bins is not null)
        {
            _counts[_bins.BinOf(prediction)]++;
            return;
        }

        // A regressor's bins are learned from the first window's values (a uniform reservoir of them).
        _seen++;
        if (_learning.Count < LearningSample) _learning.Add(prediction);
        else if (_random.NextInt64(_seen) is var slot && slot < LearningSample) _learning[(int)slot] = prediction;
    }

    /// <summary>The window's distribution, scored against the previous one; null when it had no predictions. Starts the next window.</summary>
    public PredictionDistribution? Close()
    {
        var current = _task == ModelTask.MulticlassClassification ? CloseClasses() : CloseBins();
        if (current is null) return null;
        if (_previous is { } previous && Aligned(previous, current) is var (before, now))
            current = current with { Psi = PopulationStabilityIndex.FromCounts(before, now), JensenShannon = JensenShannonDistance.FromCounts(before, now) };
        _previous = current;
        return current;
    }

    private PredictionDistribution? CloseBins()
    {
        if (_bins is null)
        {
            if (_learning.Count == 0) return null;
            var values = _learning.ToArray();
            SetBins(QuantileBinning.FromReference(values));
            _learning.Clear();
            foreach (var value in values) _counts[_bins!.BinOf(value)]++;
        }

        if (_counts.Sum() == 0) return null;
        var distribution = new PredictionDistribution(_bins!.Edges, [], [.. _counts], null, null);
        Array.Clear(_counts);
        return distribution;
    }

    private PredictionDistribution? CloseClasses()
    {
        if (_classes.Count == 0) return null;
        var ordered = _classes.OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
        _classes.Clear();
        return new PredictionDistribution([], [.. ordered.Select(c => c.Key)], [.. ordered.Select(c => c.Value)], null, null);
    }

    private void SetBins(QuantileBinning bins)
    {
        _bins = bins;
        _counts = new long[bins.BinCount];
    }

    /// <summary>Both windows' counts over the same bins or classes (a class one window lacks counts 0 there).</summary>
    private static (long[] Before, long[] Now)? Aligned(PredictionDistribution before, PredictionDistribution now)
    {
        if (before.Classes.Count == 0) return before.Counts.Count == now.Counts.Count ? ([.. before.Counts], [.. now.Counts]) : null;
        var classes = before.Classes.Union(now.Classes, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        static long Count(PredictionDistribution d, string c)
        {
            for (var i = 0; i < d.Classes.Count; i++)
            {
                if (string.Equals(d.Classes[i], c, StringComparison.Ordinal)) return d.Counts[i];
            }

            return 0;
        }

        return ([.. classes.Select(c => Count(before, c))], [.. classes.Select(c => Count(now, c))]);
    }
}
