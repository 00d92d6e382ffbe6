namespace Orchestrator.Core.Scheduling;

/// <summary>Run times of completed jobs by <see cref="JobRequest.HistoryKey"/>, bounded to the most recent runs per key:
/// the estimate of a job that gives no <see cref="JobRequest.ExpectedDuration"/> is the median of its key's history.</summary>
public sealed class DurationHistory
{
    /// <summary>Runs kept per key when none is given.</summary>
    public const int DefaultRunsPerKey = 64;

    private readonly Dictionary<string, Runs> _byKey = new(StringComparer.Ordinal);

    /// <summary>Creates a history keeping the last <paramref name="runsPerKey"/> runs of each key.</summary>
    public DurationHistory(int runsPerKey = DefaultRunsPerKey)
    {
        if (runsPerKey < 1) throw new ArgumentOutOfRangeException(nameof(runsPerKey), runsPerKey, "runsPerKey must be at least 1.");
        RunsPerKey = runsPerKey;
    }

    /// <summary>Runs kept per key.</summary>
    public int RunsPerKey { get; }

    /// <summary>Records one completed run of <paramref name="key"/> (an empty key is ignored).</summary>
    public void Record(string key, TimeSpan duration)
    {
        if (key.Length == 0 || duration < TimeSpan.Zero) return;
        if (!_byKey.TryGetValue(key, out var runs)) _byKey[key] = runs = new Runs(RunsPerKey);
        runs.Add(duration);
    }

    /// <summary>The median of the recorded runs of <paramref name="key"/>, or null when there are none.</summary>
    public TimeSpan? Estimate(string key) => key.Length > 0 && _byKey.TryGetValue(key, out var runs) ? runs.Median() : null;

    /// <summary>The job's own expected duration when given, else the estimate from its key's history.</summary>
    public TimeSpan? EstimateFor(JobRequest job) => job.ExpectedDuration ?? Estimate(job.HistoryKey);

    /// <summary>Completed runs recorded for <paramref name="key"/> and still kept.</summary>
    public int Count(string key) => _byKey.TryGetValue(key, out var runs) ? runs.Count : 0;

    /// <summary>A ring of the last runs; the median is cached until the next run arrives.</summary>
    private sealed class Runs(int capacity)
    {
        private readonly long[] _ticks = new long[capacity];
        private int _next;
        private TimeSpan? _median;

        public int Count { get; private set; }

        public void Add(TimeSpan duration)
        {
            _ticks[_next] = duration.Ticks;
            _next = (_next + 1) % _ticks.Length;
            Count = Math.Min(Count + 1, _ticks.Length);
            _median = null;
        }

        public TimeSpan Median()
        {
            if (_median is { } cached) return cached;
            var sorted = _ticks.AsSpan(0, Count).ToArray();
            Array.Sort(sorted);
            var middle = sorted.Length / 2;
            var ticks = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] / 2) + (sorted[middle] / 2);
            _median = TimeSpan.FromTicks(ticks);
            return _median.Value;
        }
    }
}
