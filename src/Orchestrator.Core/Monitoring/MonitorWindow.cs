using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Retraining;

namespace Orchestrator.Core.Monitoring;

/// <summary>How a monitor cuts and judges its windows.</summary>
/// <param name="MaxRecords">A window closes after this many prediction records...</param>
/// <param name="Duration">...or this long after it opened, whichever comes first (tumbling windows).</param>
/// <param name="SampleSize">Values kept per numeric feature and window for KS and Wasserstein (a uniform reservoir sample).</param>
/// <param name="Thresholds">The drift decision's thresholds; null for the defaults.</param>
/// <param name="Seed">Seed of the reservoir sampling, so a replayed stream gives the same scores.</param>
/// <param name="ExactKsLimit">The KS p-value is exact (scipy's method) while reference size x window size is at most
/// this, asymptotic above: the exact p-value of unequal samples costs their product (13 ms per feature at 2,000 x 1,000),
/// and at such sizes the asymptotic one differs from it by little (see docs/drift.md).</param>
public sealed record MonitorSpec(int MaxRecords = 10_000, TimeSpan? Duration = null, int SampleSize = 1_000, DriftThresholds? Thresholds = null, int Seed = 1,
    long ExactKsLimit = 100_000)
{
    /// <summary>The window's length in time (default one hour).</summary>
    public TimeSpan WindowDuration => Duration ?? TimeSpan.FromHours(1);
}

/// <summary>A window that closed: its span, its size, every feature's scores, the drift decision and live metrics.</summary>
/// <param name="Start">When it opened.</param>
/// <param name="End">When it closed.</param>
/// <param name="Records">Prediction records in it.</param>
/// <param name="Scores">Every feature that had values, scored against the baseline.</param>
/// <param name="Drift">The decision per feature and for the dataset.</param>
/// <param name="Metrics">Live performance from labels joined during the window.</param>
public sealed record WindowReport(DateTimeOffset Start, DateTimeOffset End, long Records, IReadOnlyList<FeatureDriftScores> Scores,
    DatasetDriftDecision Drift, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>Predictions and live metrics per serving version, by version; empty when no record named one.</summary>
    public IReadOnlyList<VersionStats> ByVersion { get; init; } = [];

    /// <summary>The window's prediction distribution, against the previous window's; null when it had none.</summary>
    public PredictionDistribution? Predictions { get; init; }

    /// <summary>What the retraining policy reads of it.</summary>
    public WindowOutcome ToOutcome() => new(End, Drift.Drifted, Drift.DriftedShare, Metrics);
}

/// <summary>One monitor's current tumbling window over a model's live traffic: each numeric feature binned into its
/// baseline's bins (plus a reservoir sample), each categorical feature counted by category, and live metrics from labels.
/// It closes by count or by time and is then scored against the baseline profile with the drift statistics.</summary>
public sealed partial class MonitorWindow
{
    private readonly MonitorSpec _spec;
    private readonly ModelTask _task;
    private readonly DriftThresholds _thresholds;
    private readonly NumericFeature[] _numeric;
    private readonly CategoricalFeature[] _categorical;
    private readonly Random _random;
    private readonly PredictionHistogram _predictions;
    private readonly SortedDictionary<int, VersionWindow> _versions = [];
    private LiveMetrics _metrics;

    /// <summary>A monitor for a model with <paramref name="profile"/>, its first window opening at <paramref name="start"/>.</summary>
    public MonitorWindow(BaselineProfile profile, ModelTask task, MonitorSpec spec, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.MaxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.SampleSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(spec.WindowDuration, TimeSpan.Zero);
        _spec = spec;
        _task = task;
        _thresholds = spec.Thresholds ?? DriftThresholds.Default;
        _random = new Random(spec.Seed);
        _numeric = [.. profile.Numeric.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new NumericFeature(f.Key, f.Value, spec.SampleSize, spec.ExactKsLimit))];
        _categorical = [.. profile.Categorical.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new CategoricalFeature(f.Key, f.Value))];
        _metrics = new LiveMetrics(task);
        _predictions = new PredictionHistogram(task, spec.Seed);
        Start = start;
    }

    /// <summary>When the current window opened.</summary>
    public DateTimeOffset Start { get; private set; }

    /// <summary>Records in the current window.</summary>
    public long Records { get; private set; }

    /// <summary>The numeric features, in the column order <see cref="AddColumns"/> takes.</summary>
    public IReadOnlyList<string> NumericFeatures => [.. _numeric.Select(f => f.Name)];

    /// <summary>The values a numeric feature's reservoir holds now, in slot order (for tests).</summary>
    internal double[] SampleOf(string feature) => Array.Find(_numeric, f => f.Name == feature)?.Kept ?? throw new ArgumentException($"no numeric feature '{feature}'", nameof(feature));

    /// <summary>Adds one record (feature values by name; features the baseline does not know are ignored). Returns the
    /// report of a window this closed: a record after the window's time opens a new one first; the record that fills
    /// the window closes it.</summary>
    public WindowReport? Add(IReadOnlyDictionary<string, double> numeric, IReadOnlyDictionary<string, string> categorical, DateTimeOffset now) =>
        Add(numeric, categorical, null, now);

    /// <summary>Adds one record with the model's answer to it: as <see cref="Add(IReadOnlyDictionary{string, double}, IReadOnlyDictionary{string, string}, DateTimeOffset)"/>,
    /// and the prediction counts towards the window's prediction distribution and its serving version's share.</summary>
    public WindowReport? Add(IReadOnlyDictionary<string, double> numeric, IReadOnlyDictionary<string, string> categorical, PredictionObservation? prediction, DateTimeOffset now)
    {
        var closed = Tick(now);
        if (prediction is { } answer)
        {
            _predictions.Add(answer.Prediction, answer.PredictedClass);
            Version(answer.Version).Predictions++;
        }

        foreach (var feature in _numeric)
        {
            if (numeric.TryGetValue(feature.Name, out var value) && double.IsFinite(value)) feature.Add(value, _random);
        }

        foreach (var feature in _categorical)
        {
            if (categorical.TryGetValue(feature.Name, out var value)) feature.Add(value, 1);
        }

        Records++;
        return Records >= _spec.MaxRecords ? Close(now) ?? closed : closed;
    }

    /// <summary>Adds a batch of records as columns, one per numeric feature in <see cref="NumericFeatures"/> order (all
    /// of the same length; NaN for a missing value): the fast path that binning throughput is measured on. A batch is
    /// never split: the window closes after it when it reached its size.</summary>
    public WindowReport? AddColumns(IReadOnlyList<double[]> columns, DateTimeOffset now)
    {
        if (columns.Count != _numeric.Length) throw new ArgumentException($"{columns.Count} columns for {_numeric.Length} numeric features; give one per feature in NumericFeatures order", nameof(columns));
        var rows = columns.Count == 0 ? 0 : columns[0].Length;
        if (columns.Any(c => c.Length != rows)) throw new ArgumentException("the columns have different lengths; give one value per record in each (NaN when missing)", nameof(columns));
        var closed = Tick(now);
        for (var i = 0; i < _numeric.Length; i++) _numeric[i].AddColumn(columns[i], _random);
        Records += rows;
        return Records >= _spec.MaxRecords ? Close(now) ?? closed : closed;
    }

    /// <summary>A label joined to its prediction: counts towards the current window's live metrics, and its serving
    /// version's when the prediction named one.</summary>
    public void AddLabel(PendingPrediction prediction, double label)
    {
        if (_task == ModelTask.MulticlassClassification) throw new InvalidOperationException("a class-name monitor takes labels by name: use AddClassLabel");
        AddLabel(_metrics, prediction, label);
        if (prediction.Version > 0) AddLabel(Version(prediction.Version).Metrics, prediction, label);
    }

    /// <summary>A class-name label joined to its prediction.</summary>
    public void AddClassLabel(PendingPrediction prediction, string label)
    {
        _metrics.AddClass(prediction.PredictedClass ?? "", label);
        if (prediction.Version > 0) Version(prediction.Version).Metrics.AddClass(prediction.PredictedClass ?? "", label);
    }

    private static void AddLabel(LiveMetrics metrics, PendingPrediction prediction, double label)
    {
        if (metrics.Task == ModelTask.BinaryClassification) metrics.AddBinary(prediction.Prediction, label >= 0.5);
        else metrics.AddRegression(prediction.Prediction, label);
    }

    private VersionWindow Version(int version)
    {
        if (!_versions.TryGetValue(version, out var window)) _versions[version] = window = new VersionWindow(new LiveMetrics(_task));
        return window;
    }

    /// <summary>Closes the window if its time is up; the report, or null (also when it had no records: an idle window
    /// just starts again).</summary>
    public WindowReport? Tick(DateTimeOffset now) => now >= Start + _spec.WindowDuration ? Close(now) : null;

    private WindowReport? Close(DateTimeOffset now)
    {
        WindowReport? report = null;
        if (Records > 0)
        {
            var scores = new List<FeatureDriftScores>();
            foreach (var feature in _numeric)
            {
                if (feature.Score() is { } score) scores.Add(score);
            }

            foreach (var feature in _categorical)
            {
                if (feature.Score() is { } score) scores.Add(score);
            }

            report = new WindowReport(Start, now, Records, scores, DriftDecider.Decide(scores, _thresholds), _metrics.Compute())
            {
                ByVersion = [.. _versions.Where(v => v.Key > 0).Select(v => new VersionStats(v.Key, v.Value.Predictions, v.Value.Metrics.Count, v.Value.Metrics.Compute()))],
                Predictions = _predictions.Close(),
            };
        }
        else
        {
            _predictions.Close();
        }

        foreach (var feature in _numeric) feature.Reset();
        foreach (var feature in _categorical) feature.Reset();
        _metrics = new LiveMetrics(_task);
        _versions.Clear();
        Records = 0;
        Start = now;
        return report;
    }

    /// <summary>One serving version's predictions and live metrics in the open window.</summary>
    private sealed class VersionWindow(LiveMetrics metrics)
    {
        public long Predictions { get; set; }

        public LiveMetrics Metrics { get; } = metrics;
    }

    /// <summary>A numeric feature: the baseline turned into the drift code's reference, and the window's counts and sample.</summary>
    private sealed class NumericFeature
    {
        /// <summary>Proportions become counts at this scale: PSI and JS read only their ratios.</summary>
        private const double CountScale = 1_000_000;

        private readonly NumericReferenceProfile? _reference;
        private readonly long _exactKsLimit;
        private readonly QuantileBinning _bins;
        private readonly long[] _referenceCounts;
        private readonly long[] _counts;
        // The reservoir, then one slot for the +infinity the scoring pass needs after the values.
        private readonly double[] _sample;
        // The reservoir's values placed in the reference's gaps as they come, so that the close needs no sort; null where
        // the reference has no rank table.
        private readonly ReferenceGaps? _gaps;
        private readonly int _sampleSize;
        private int _sampled;
        private long _seen;
        // Algorithm L's state once the reservoir is full: the skip weight and the count at which the next value goes in.
        private double _skipWeight;
        private long _nextReplacement;

        public NumericFeature(string name, NumericFeatureProfile profile, int sampleSize, long exactKsLimit)
        {
            Name = name;
            _exactKsLimit = exactKsLimit;
            _bins = new QuantileBinning(profile.BinEdges);
            _referenceCounts = [.. profile.Proportions.Select(p => (long)Math.Round(p * CountScale))];
            _counts = new long[_bins.BinCount];
            _sampleSize = sampleSize;
            _sample = new double[sampleSize + 1];
            // Without a sample the baseline supports the binned statistics only (PSI, JS).
            if (profile.Sample.Count > 0)
            {
                var sample = profile.Sample.ToArray();
                _reference = new NumericReferenceProfile(_bins, _referenceCounts, sample, WassersteinDistance.PopulationStandardDeviation(sample));
                if (_reference.RankTable is { } table && sampleSize <= ReferenceGaps.MaxSize) _gaps = new ReferenceGaps(table, sampleSize);
            }
        }

        public string Name { get; }

        public IReadOnlyList<double> Edges => _bins.Edges;

        public double[] Kept => _sample[.._sampled];

        public void AddCounts(IReadOnlyList<long> counts)
        {
            for (var i = 0; i < counts.Count; i++) _counts[i] += counts[i];
        }

        public void Add(double value, Random random)
        {
            _counts[_bins.BinOf(value)]++;
            Sample(value, random);
        }

        public void AddColumn(double[] values, Random random)
        {
            foreach (var value in values)
            {
                if (!double.IsFinite(value)) continue;
                _counts[_bins.BinOf(value)]++;
                Sample(value, random);
            }
        }

        /// <summary>Algorithm L (Li, 1994): every value seen so far is in the sample with the same probability, as with
        /// Algorithm R, but the random draws go to the gaps between replacements (about k log(n/k) of them) rather than
        /// one per value, which cost more than binning the value at a full reservoir.</summary>
        private void Sample(double value, Random random)
        {
            _seen++;
            // The test a value usually fails stays small enough to inline into the binning loops.
            if (_sampled < _sampleSize || _seen == _nextReplacement) Keep(value, random);
        }

        private void Keep(double value, Random random)
        {
            if (_sampled < _sampleSize)
            {
                _gaps?.Add(value);
                _sample[_sampled++] = value;
                if (_sampled == _sampleSize)
                {
                    _skipWeight = Math.Exp(Math.Log(Uniform(random)) / _sampleSize);
                    _nextReplacement = _seen + Gap(random);
                }
            }
            else
            {
                var slot = random.Next(_sampleSize);
                _gaps?.Replace(slot, value);
                _sample[slot] = value;
                _skipWeight *= Math.Exp(Math.Log(Uniform(random)) / _sampleSize);
                _nextReplacement = _seen + Gap(random);
            }
        }

        /// <summary>Values to pass over before the next replacement, plus one.</summary>
        private long Gap(Random random)
        {
            var gap = Math.Floor(Math.Log(Uniform(random)) / Math.Log(1 - _skipWeight)) + 1;
            return gap < long.MaxValue / 4 ? (long)gap : long.MaxValue / 4;
        }

        private static double Uniform(Random random) => 1 - random.NextDouble();

        public FeatureDriftScores? Score()
        {
            // Counts from client histograms come without values: such a window is scored on its bins (PSI, JS) only.
            if (_sampled == 0 && !_counts.AsSpan().ContainsAnyExcept(0)) return null;
            if (_reference is not null && _sampled > 0)
            {
                var method = (long)_reference.SortedSample.Length * _sampled <= _exactKsLimit ? KolmogorovSmirnovMethod.Auto : KolmogorovSmirnovMethod.Asymptotic;
                // The reservoir starts again after the close, so it may be sorted where it lies when it must be.
                return DriftScorer.ScoreWindowNumeric(Name, _reference, _counts, _sample.AsSpan(0, _sampled + 1), method, KolmogorovPValueCache.Shared, _gaps);
            }

            return new FeatureDriftScores(Name, FeatureKind.Numeric,
                PopulationStabilityIndex.FromCounts(_referenceCounts, _counts), JensenShannonDistance.FromCounts(_referenceCounts, _counts))
            {
                ReferenceCount = (long)CountScale, CurrentCount = _counts.Sum(),
            };
        }

        public void Reset()
        {
            Array.Clear(_counts);
            _gaps?.Clear();
            _sampled = 0;
            _seen = 0;
        }
    }

    /// <summary>A categorical feature: reference counts per baseline category (from its shares and row count), and the
    /// window's counts, with categories the baseline never saw added as they appear.</summary>
    private sealed class CategoricalFeature
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<long> _reference = [];
        private readonly List<long> _counts = [];

        public CategoricalFeature(string name, CategoricalFeatureProfile profile)
        {
            Name = name;
            // Chi-squared needs counts: the baseline's row count when known, else a notional 10,000 rows.
            var rows = profile.Count > 0 ? profile.Count : 10_000;
            foreach (var (category, share) in profile.Frequencies.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                _index[category] = _reference.Count;
                _reference.Add((long)Math.Round(share * rows));
                _counts.Add(0);
            }
        }

        public string Name { get; }

        public void Add(string category, long count)
        {
            if (!_index.TryGetValue(category, out var i))
            {
                _index[category] = i = _reference.Count;
                _reference.Add(0);
                _counts.Add(0);
            }

            _counts[i] += count;
        }

        public FeatureDriftScores? Score() =>
            _counts.Sum() == 0 ? null : DriftScorer.ScoreCategorical(Name, _reference.ToArray(), _counts.ToArray());

        public void Reset()
        {
            for (var i = 0; i < _counts.Count; i++) _counts[i] = 0;
        }
    }
}
