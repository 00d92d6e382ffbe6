using Orchestrator.Core.Scheduling.Admission;

namespace Orchestrator.Core.Scheduling;

/// <summary>The scheduling core of one pool: the queue, the nodes and what runs on them, quotas and fair share,
/// gang placement with best-fit packing, backfill behind a reserved gang, and preemption decisions. Pure and
/// single-threaded: the scheduler grain and the simulator drive it, time comes from the <see cref="TimeProvider"/>.</summary>
/// <remarks>The semantics, and where they go beyond the issue, are in docs/scheduling.md.</remarks>
public sealed partial class PoolScheduler
{
    private IQueuePolicy _policy;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly FreeGpuIndex _index = new();
    private readonly Dictionary<string, TenantState> _tenants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunningJob> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<ShapeKey, bool> _everFits = [];
    private SchedulingConfig _config = SchedulingConfig.Default;
    private PoolSpec _poolSpec;
    private Dictionary<int, PriorityClassSpec> _classes = [];
    private Resources _capacity;
    private int _schedulableNodes;
    private long _sequence;

    /// <summary>Creates the core for <paramref name="pool"/>.</summary>
    public PoolScheduler(string pool, SchedulingConfig config, IQueuePolicy policy, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(pool)) throw new ArgumentException("pool must be a non-empty pool name", nameof(pool));
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(time);
        Pool = pool;
        _policy = policy;
        _time = time;
        _poolSpec = new PoolSpec(pool, new Dictionary<string, string>());
        Configure(config);
    }

    /// <summary>The pool name.</summary>
    public string Pool { get; }

    /// <summary>Run times of completed jobs by history key, the source of estimates when a job gives none.</summary>
    public DurationHistory Durations { get; } = new();

    /// <summary>The queue policy ranking jobs within a priority and tenant.</summary>
    public IQueuePolicy Policy => _policy;

    /// <summary>Applies a new configuration (tenants, quotas, classes, tuning) from the next pass on.</summary>
    public void Configure(SchedulingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(config.Tuning, "config.Tuning");
        _config = config;
        _poolSpec = config.Pools?.FirstOrDefault(p => string.Equals(p.Name, Pool, StringComparison.Ordinal))
            ?? new PoolSpec(Pool, new Dictionary<string, string>());
        _classes = (config.PriorityClasses ?? []).GroupBy(c => c.Value).ToDictionary(g => g.Key, g => g.Last());
        var specs = (config.Tenants ?? []).GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        foreach (var name in specs.Keys) TenantNamed(name);
        foreach (var tenant in _tenants.Values) tenant.Apply(specs.GetValueOrDefault(tenant.Name), Pool);
        foreach (var node in _nodes.Values)
        {
            _index.Remove(node);
            node.Apply(node.Spec, _poolSpec.TopologyKey);
            if (node.Schedulable) _index.Add(node);
        }

        RebuildQueue(_time.GetUtcNow());
        // A larger quota may let waiting admissions in; existing admissions stay even above a smaller one.
        _admissionRecheck = true;
    }

    /// <summary>Switches the queue policy: waiting jobs are ranked again under it; the duration history, running jobs
    /// and preemptions already ordered are kept (no rebuild needed).</summary>
    public void SetPolicy(IQueuePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (ReferenceEquals(policy, _policy)) return;
        _policy = policy;
        _lastRerank = DateTimeOffset.MinValue;
        RebuildQueue(_time.GetUtcNow());
    }

    /// <summary>Adds a node or updates it (labels, size, cordon/drain/lost through <see cref="NodeSpec.Schedulable"/>).
    /// Jobs already on it keep their resources.</summary>
    public void UpsertNode(NodeSpec node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (string.IsNullOrWhiteSpace(node.Name)) throw new ArgumentException("node.Name must be a non-empty node name", nameof(node));
        if (node.GpuCount < 0) throw new ArgumentException($"node {node.Name}: GpuCount is {node.GpuCount}; it must be 0 or more", nameof(node));
        if (node.CpuMillis < 0 || node.MemoryBytes < 0)
        {
            throw new ArgumentException($"node {node.Name}: CpuMillis and MemoryBytes must be 0 or more", nameof(node));
        }

        if (_nodes.TryGetValue(node.Name, out var state))
        {
            _index.Remove(state);
            if (state.Schedulable) AddCapacity(state.Spec, -1);
            state.Apply(node with { Labels = node.Labels ?? new Dictionary<string, string>(), GpuModel = node.GpuModel ?? "" }, _poolSpec.TopologyKey);
        }
        else
        {
            state = new NodeState(node with { Labels = node.Labels ?? new Dictionary<string, string>(), GpuModel = node.GpuModel ?? "" },
                _poolSpec.TopologyKey);
            _nodes[node.Name] = state;
        }

        if (state.Schedulable)
        {
            AddCapacity(state.Spec, 1);
            _index.Add(state);
        }

        _everFits.Clear();
    }

    /// <summary>Forgets a node; returns the jobs that were running there (the caller requeues or fails them).</summary>
    public IReadOnlyList<string> RemoveNode(string name)
    {
        if (!_nodes.TryGetValue(name, out var node)) return [];
        var jobs = node.Jobs.Order(StringComparer.Ordinal).ToList();
        foreach (var job in jobs) Release(job, completed: false);
        _index.Remove(node);
        if (node.Schedulable) AddCapacity(node.Spec, -1);
        _nodes.Remove(name);
        foreach (var waiting in _waiting.Values) waiting.Nomination?.Nodes.Remove(node);
        _everFits.Clear();
        return jobs;
    }

    /// <summary>Queues a job; false when a job with this id is already queued or running.</summary>
    public bool Enqueue(JobRequest job)
    {
        JobRequestChecks.ThrowIfInvalid(job);
        if (_waiting.ContainsKey(job.Id) || _running.ContainsKey(job.Id)) return false;
        AddWaiting(job, _time.GetUtcNow());
        return true;
    }

    /// <summary>Takes a waiting job out of the queue; false when it is not waiting.</summary>
    public bool Dequeue(string jobId)
    {
        if (!_waiting.TryGetValue(jobId, out var job)) return false;
        RemoveWaiting(job);
        DropNomination(job);
        return true;
    }

    /// <summary>Records a job already running at these places since <paramref name="since"/> (rebuilding after a
    /// restart from what the nodes hold). False when any GPU is unknown or already held. A waiting job of the same id
    /// leaves the queue, since the nodes say it runs.</summary>
    public bool Restore(JobRequest job, IReadOnlyList<ReplicaPlacement> replicas, DateTimeOffset since)
    {
        JobRequestChecks.ThrowIfInvalid(job);
        ArgumentNullException.ThrowIfNull(replicas);
        JobRequestChecks.ThrowIfInvalidPlacement(job, replicas);
        if (_running.ContainsKey(job.Id)) return false;
        var seen = new HashSet<(string, int)>();
        foreach (var replica in replicas)
        {
            if (!_nodes.TryGetValue(replica.Node, out var node)) return false;
            foreach (var gpu in replica.GpuIndices)
            {
                if (gpu < 0 || gpu >= node.Spec.GpuCount || node.Holder[gpu] is not null || !seen.Add((replica.Node, gpu))) return false;
            }
        }

        if (_waiting.TryGetValue(job.Id, out var waiting)) Dequeue(waiting.Id);
        var tenant = TenantNamed(job.Tenant);
        var (withinQuota, admission) = QuotaFor(tenant, job, Resources.Of(job.Shape));
        foreach (var replica in replicas)
        {
            var node = _nodes[replica.Node];
            _index.Remove(node);
            foreach (var gpu in replica.GpuIndices) node.Holder[gpu] = job.Id;
            node.Recount();
            node.FreeCpu -= job.Shape.PerReplica.CpuMillis;
            node.FreeMemory -= job.Shape.PerReplica.MemoryBytes;
            node.Jobs.Add(job.Id);
            if (node.Schedulable) _index.Add(node);
        }

        AddRunning(new RunningJob(job, tenant, [.. replicas], since, ++_sequence), !withinQuota, admission);
        return true;
    }

    /// <summary>Frees a running job's resources (finished, failed, cancelled, or stopped after preemption). With
    /// <paramref name="completed"/>, its run time feeds the duration history of its key.</summary>
    public bool Release(string jobId, bool completed)
    {
        if (!_running.TryGetValue(jobId, out var job)) return false;
        foreach (var replica in job.Replicas)
        {
            if (!_nodes.TryGetValue(replica.Node, out var node)) continue;
            _index.Remove(node);
            foreach (var gpu in replica.GpuIndices)
            {
                if (gpu < node.Holder.Length && node.Holder[gpu] == jobId) node.Holder[gpu] = null;
            }

            node.Recount();
            node.FreeCpu += job.Request.Shape.PerReplica.CpuMillis;
            node.FreeMemory += job.Request.Shape.PerReplica.MemoryBytes;
            node.Jobs.Remove(jobId);
            if (node.Schedulable) _index.Add(node);
        }

        RemoveRunning(job);
        if (completed) Durations.Record(job.Request.HistoryKey, WholeRunTime(job, _time.GetUtcNow()));
        if (job.PreemptedFor is { } beneficiary && _waiting.TryGetValue(beneficiary, out var waiting)) waiting.Nomination?.Victims.Remove(jobId);
        RelabelWithinQuota(job.Tenant);
        // A tenant that may not borrow admits runs only into quota its other steps leave free: this may have made room.
        if (!job.Tenant.MayBorrow && job.Tenant.AdmissionQueue.Count > 0) _admissionRecheck = true;
        return true;
    }

    /// <summary>A completed job's run time across all its runs: the runs before a preemption (its attained GPU-seconds
    /// ÷ its GPUs, as the caller queued it again) plus this last run; a job without GPUs has only this run.</summary>
    private static TimeSpan WholeRunTime(RunningJob job, DateTimeOffset now)
    {
        var lastRun = now > job.Since ? now - job.Since : TimeSpan.Zero;
        var gpus = job.Request.Shape.TotalGpus;
        if (gpus <= 0 || !(job.Request.AttainedGpuSeconds > 0)) return lastRun;
        return lastRun + TimeSpan.FromSeconds(job.Request.AttainedGpuSeconds / gpus);
    }

    /// <summary>Queue length, GPUs free and used, usage per tenant.</summary>
    public PoolUsage Usage()
    {
        var tenants = _tenants.Values
            .Where(t => t.Used != default || t.Queued > 0 || t.Quota.Gpus > 0 || t.Reserved > 0 || t.AdmissionQueue.Count > 0)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new TenantUsage(t.Name, t.Used.Gpus, t.Quota.Gpus, t.GpusAboveQuota, t.Queued, t.DominantShare(_capacity),
                t.Reserved, t.AdmissionQueue.Count))
            .ToList();
        return new PoolUsage(Pool, _nodes.Count, _schedulableNodes, _capacity.Gpus, _index.For("")?.FreeGpus ?? 0, _waiting.Count,
            _running.Count, tenants);
    }

    private TenantState TenantNamed(string name)
    {
        if (_tenants.TryGetValue(name, out var tenant)) return tenant;
        tenant = new TenantState(name);
        tenant.Apply(_config.Tenants?.LastOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal)), Pool);
        _tenants[name] = tenant;
        return tenant;
    }

    private void AddCapacity(NodeSpec spec, int sign)
    {
        _capacity += new Resources(sign * spec.GpuCount, sign * spec.CpuMillis, sign * spec.MemoryBytes);
        _schedulableNodes += sign;
    }

    private void AddRunning(RunningJob job, bool borrowed, RunAdmission? admission)
    {
        job.Borrowed = borrowed;
        if (admission is not null && !borrowed)
        {
            job.Admission = admission;
            admission.PlacedGpus += job.Total.Gpus;
            job.Tenant.AdmittedUse += job.Total;
        }

        job.ExpectedEnd = Durations.EstimateFor(job.Request) is { } estimate ? job.Since + estimate : null;
        _running[job.Id] = job;
        job.Tenant.Used += job.Total;
        if (borrowed) job.Tenant.Borrowing.Add(job);
        else job.Tenant.WithinQuota += job.Total;
        OnRunningAdded(job);
    }

    private void RemoveRunning(RunningJob job)
    {
        _running.Remove(job.Id);
        job.Tenant.Used -= job.Total;
        if (job.Borrowed) job.Tenant.Borrowing.Remove(job);
        else job.Tenant.WithinQuota -= job.Total;
        if (job.Admission is { } admission)
        {
            admission.PlacedGpus -= job.Total.Gpus;
            job.Tenant.AdmittedUse -= job.Total;
            job.Admission = null;
        }

        OnRunningRemoved(job);
    }

    /// <summary>When a tenant's jobs within quota stop, its oldest borrowing jobs that now fit become within quota, so
    /// that reclaim only ever takes what is really above the quota.</summary>
    private void RelabelWithinQuota(TenantState tenant)
    {
        if (tenant.Borrowing.Count == 0) return;
        List<RunningJob>? relabelled = null;
        foreach (var job in tenant.Borrowing)
        {
            if (tenant.WithinQuota.Gpus - tenant.AdmittedUse.Gpus >= tenant.Quota.Gpus - tenant.Reserved) break;
            if (job.PreemptedFor is not null || !tenant.FitsOpenQuota(job.Total)) continue;
            tenant.WithinQuota += job.Total;
            (relabelled ??= []).Add(job);
        }

        if (relabelled is null) return;
        foreach (var job in relabelled)
        {
            tenant.Borrowing.Remove(job);
            job.Borrowed = false;
        }
    }
}
