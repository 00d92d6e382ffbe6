namespace Orchestrator.Core.Scheduling;

/// <summary>The waiting queue: levels of effective priority (highest first), each with the tenants that have jobs there,
/// each tenant's jobs in rank order; aging moves a job up one level per interval through a timeline, so nothing is
/// recomputed for jobs whose level does not change.</summary>
public sealed partial class PoolScheduler
{
    private static readonly IComparer<int> Descending = Comparer<int>.Create((a, b) => b.CompareTo(a));
    private readonly Dictionary<string, WaitingJob> _waiting = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, HashSet<TenantState>> _levels = new(Descending);
    private readonly PriorityQueue<(WaitingJob Job, int Level), DateTimeOffset> _aging = new();
    private readonly SortedDictionary<int, int> _waitingByPriority = [];
    private DateTimeOffset _lastRerank = DateTimeOffset.MinValue;
    private int _waitingWithoutGpus;

    private void AddWaiting(JobRequest request, DateTimeOffset now)
    {
        var job = new WaitingJob(request, TenantNamed(request.Tenant), ++_sequence);
        job.Level = LevelAt(request, now);
        job.Rank = RankOf(job, now);
        _waiting[job.Id] = job;
        Insert(job);
        job.Tenant.Queued++;
        _waitingByPriority[request.Priority] = _waitingByPriority.GetValueOrDefault(request.Priority) + 1;
        if (job.Total.Gpus == 0) _waitingWithoutGpus++;
        ScheduleAging(job);
    }

    private void RemoveWaiting(WaitingJob job)
    {
        if (!_waiting.Remove(job.Id)) return;
        Extract(job);
        job.Tenant.Queued--;
        var left = _waitingByPriority[job.Request.Priority] - 1;
        if (left == 0) _waitingByPriority.Remove(job.Request.Priority);
        else _waitingByPriority[job.Request.Priority] = left;
        if (job.Total.Gpus == 0) _waitingWithoutGpus--;
    }

    private void Insert(WaitingJob job)
    {
        if (!job.Tenant.ByLevel.TryGetValue(job.Level, out var jobs)) job.Tenant.ByLevel[job.Level] = jobs = new SortedSet<WaitingJob>(WaitingOrder.Instance);
        jobs.Add(job);
        if (!_levels.TryGetValue(job.Level, out var tenants)) _levels[job.Level] = tenants = [];
        tenants.Add(job.Tenant);
    }

    private void Extract(WaitingJob job)
    {
        if (!job.Tenant.ByLevel.TryGetValue(job.Level, out var jobs) || !jobs.Remove(job) || jobs.Count > 0) return;
        job.Tenant.ByLevel.Remove(job.Level);
        if (!_levels.TryGetValue(job.Level, out var tenants)) return;
        tenants.Remove(job.Tenant);
        if (tenants.Count == 0) _levels.Remove(job.Level);
    }

    private bool AgingOn => _config.Tuning.AgingInterval > TimeSpan.Zero && _config.Tuning.MaxAgingBoost > 0;

    /// <summary>Priority plus one per aging interval waited, up to the cap.</summary>
    private int LevelAt(JobRequest job, DateTimeOffset now) => (int)Math.Clamp((long)job.Priority + Boost(job, now), int.MinValue, int.MaxValue);

    private int Boost(JobRequest job, DateTimeOffset now)
    {
        if (!AgingOn || now <= job.SubmittedAt) return 0;
        var steps = (now - job.SubmittedAt).Ticks / _config.Tuning.AgingInterval.Ticks;
        return (int)Math.Min(steps, _config.Tuning.MaxAgingBoost);
    }

    private void ScheduleAging(WaitingJob job)
    {
        if (!AgingOn) return;
        var boost = job.Level - job.Request.Priority;
        if (boost >= _config.Tuning.MaxAgingBoost) return;
        var next = job.Request.SubmittedAt + TimeSpan.FromTicks(_config.Tuning.AgingInterval.Ticks * (boost + 1L));
        _aging.Enqueue((job, job.Level), next);
    }

    private void ApplyAging(DateTimeOffset now)
    {
        while (_aging.TryPeek(out var entry, out var at) && at <= now)
        {
            _aging.Dequeue();
            var (job, level) = entry;
            if (!_waiting.TryGetValue(job.Id, out var current) || !ReferenceEquals(current, job) || job.Level != level) continue;
            Extract(job);
            job.Level = LevelAt(job.Request, now);
            Insert(job);
            ScheduleAging(job);
        }
    }

    /// <summary>The next aging step of any waiting job, or null.</summary>
    private DateTimeOffset? NextAgingStep()
    {
        while (_aging.TryPeek(out var entry, out var at))
        {
            if (_waiting.TryGetValue(entry.Job.Id, out var current) && ReferenceEquals(current, entry.Job) && entry.Job.Level == entry.Level) return at;
            _aging.Dequeue();
        }

        return null;
    }

    private double RankOf(WaitingJob job, DateTimeOffset now) =>
        _policy.Rank(new JobView(job.Request, false, job.Request.AttainedGpuSeconds, TimeSpan.Zero, Durations.EstimateFor(job.Request)), now);

    /// <summary>Re-ranks every waiting job when the policy's ranks move with time.</summary>
    private void Rerank(DateTimeOffset now)
    {
        if (_policy.RerankInterval is not { } interval || now - _lastRerank < interval) return;
        _lastRerank = now;
        foreach (var job in _waiting.Values)
        {
            var rank = RankOf(job, now);
            if (rank.Equals(job.Rank)) continue;
            Extract(job);
            job.Rank = rank;
            Insert(job);
        }
    }

    /// <summary>After a configuration change: levels and ranks from scratch.</summary>
    private void RebuildQueue(DateTimeOffset now)
    {
        _aging.Clear();
        foreach (var job in _waiting.Values)
        {
            Extract(job);
            job.Level = LevelAt(job.Request, now);
            job.Rank = RankOf(job, now);
            Insert(job);
            ScheduleAging(job);
        }
    }
}
