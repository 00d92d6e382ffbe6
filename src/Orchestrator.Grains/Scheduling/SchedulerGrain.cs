using Microsoft.Extensions.Logging;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Metrics;
using Orchestrator.Grains.Nodes;

namespace Orchestrator.Grains.Scheduling;

/// <summary>One pool's scheduler: wraps a <see cref="PoolScheduler"/> (queue order, quotas, gangs, best-fit,
/// preemption decisions) and lets the pool's node grains confirm each placement, since they stay the durable
/// authority on which GPU is held. Passes run in batches, on events and when the core asks to be woken.</summary>
public sealed partial class SchedulerGrain(
    [PersistentState("scheduler")] IPersistentState<SchedulerState> state,
    TimeProvider time,
    ILogger<SchedulerGrain> logger) : Grain, ISchedulerGrain
{
    /// <summary>The pool every node matching no configured pool belongs to.</summary>
    public const string DefaultPool = SchedulingConfig.DefaultPool;

    /// <summary>Waiting step attempts by job id.</summary>
    private readonly Dictionary<string, PendingStep> _queued = new(StringComparer.Ordinal);
    /// <summary>Placed jobs by job id, with the nodes they hold resources on: a placed attempt (a gang's spans its
    /// replicas' nodes), or one allocation restored from a node's report (a gang restores one job per process).</summary>
    private readonly Dictionary<string, (StepRef Step, string[] Nodes)> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _nodeVersions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _preempting = new(StringComparer.Ordinal);
    /// <summary>Placed by a pass whose node has not answered yet (still in <see cref="_queued"/>).</summary>
    private readonly HashSet<string> _confirming = new(StringComparer.Ordinal);
    /// <summary>Node answers still outstanding, so that a rebuild of the core can wait for them.</summary>
    private readonly List<Task> _confirmations = [];
    private PoolScheduler _core = null!;
    private SchedulingConfig _config = SchedulingConfig.Default;
    private bool _passRequested;
    private IGrainTimer? _wakeUp;
    private DateTimeOffset? _wakeUpAt;

    private string Pool => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _config = (await GrainFactory.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).GetAsync()).Config;
        await RebuildCoreAsync();
        if (state.State.Nodes.Count != _nodeVersions.Count)
        {
            state.State.Nodes.IntersectWith(_nodeVersions.Keys);
            await state.WriteStateAsync(cancellationToken);
        }

        // A safety net behind the event-driven passes; it also keeps the in-memory queue alive.
        this.RegisterGrainTimer(_ => PassWanted ? PassAsync() : Task.CompletedTask,
            new GrainTimerCreationOptions { DueTime = TimeSpan.FromSeconds(5), Period = TimeSpan.FromSeconds(5), KeepAlive = true });
        this.RegisterGrainTimer(SweepAdmissionsAsync, new GrainTimerCreationOptions { DueTime = AdmissionSweepPeriod, Period = AdmissionSweepPeriod });
        this.RegisterGrainTimer(ReconcileNodesAsync, new GrainTimerCreationOptions { DueTime = NodeReconcilePeriod, Period = NodeReconcilePeriod });
        PublishMetrics();
    }

    /// <inheritdoc />
    public Task EnqueueManyAsync(List<PendingStep> steps)
    {
        var added = false;
        var now = time.GetUtcNow();
        foreach (var step in steps)
        {
            var id = step.Step.ToString();
            if (_running.ContainsKey(id) || !_core.Enqueue(SchedulingJobs.ToJob(step, now))) continue;
            _queued[id] = step;
            added = true;
        }

        if (!added) return Task.CompletedTask;
        PublishMetrics();
        RequestPass();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RemoveAsync(StepRef step)
    {
        var id = step.ToString();
        if (_queued.Remove(id))
        {
            _core.Dequeue(id);
            PublishMetrics();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PlaceAsync()
    {
        _passRequested = false;
        return PassAsync();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListNodesAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Nodes]);

    /// <inheritdoc />
    public Task<SchedulerStatus> GetStatusAsync()
    {
        var usage = _core.Usage();
        return Task.FromResult(new SchedulerStatus(usage.Queued, usage.Nodes, usage.SchedulableNodes, _core.Policy.Name));
    }

    /// <inheritdoc />
    public async Task ConfigureAsync(SchedulingConfig config)
    {
        // A rebuilt core learns what runs from the nodes; outstanding answers would land in the old one.
        await Task.WhenAll(_confirmations);
        var policyChanged = !string.Equals(_config.Tuning.Policy, config.Tuning.Policy, StringComparison.Ordinal);
        _config = config;
        _core.Configure(config);
        if (policyChanged)
        {
            // The core ranks the queue again under the new policy and keeps its duration history and ordered stops.
            LogPolicy(Pool, config.Tuning.Policy);
            _core.SetPolicy(LiveQueuePolicies.For(config.Tuning.Policy));
        }

        // Nodes whose labels now match another pool go there (they tell this pool they left).
        var moving = new List<string>();
        foreach (var node in state.State.Nodes)
        {
            var report = await GrainFactory.GetGrain<IGpuNodeGrain>(node).GetPoolReportAsync();
            if (report.Unknown || config.PoolFor(report.Labels) != Pool) moving.Add(node);
        }

        foreach (var node in moving)
        {
            await ForgetNodeAsync(node);
            GrainFactory.GetGrain<IGpuNodeGrain>(node).RepoolAsync().Ignore();
        }

        RequestPass();
    }

    /// <inheritdoc />
    public Task<PoolUsage> GetUsageAsync() => Task.FromResult(_core.Usage());

    /// <inheritdoc />
    public Task<TimeSpan?> GetEstimatedDurationAsync(string historyKey) => Task.FromResult(_core.Durations.Estimate(historyKey));

    /// <inheritdoc />
    public Task<List<PendingExplanation>> ExplainAsync(List<string> jobIds) =>
        Task.FromResult(jobIds.Select(Explain).ToList());

    private PendingExplanation Explain(string jobId)
    {
        if (!_queued.ContainsKey(jobId))
            return new PendingExplanation(jobId, Pool, 0, [new PendingReason(PendingReasonKind.NotQueued, $"not waiting in pool {Pool}")]);
        if (_nodeVersions.Count == 0 && !_config.PoolNames().Contains(Pool, StringComparer.Ordinal))
        {
            return new PendingExplanation(jobId, Pool, 0,
                [new PendingReason(PendingReasonKind.NeverFits, $"pool {Pool} is not in the scheduling configuration, so no node belongs to it; add the pool (with a node selector its nodes match), or change the step's resources.pools")]);
        }

        if (_nodeVersions.Count == 0)
        {
            return new PendingExplanation(jobId, Pool, 0,
                [new PendingReason(PendingReasonKind.NeverFits, $"pool {Pool} has no nodes; add nodes whose labels match its node selector, or let the step use another pool")]);
        }

        return _core.Explain(jobId);
    }

    /// <summary>A new core running the configured policy, filled from what is known: the nodes' reports (the authority
    /// on what runs where) and the queue (on activation).</summary>
    private async Task RebuildCoreAsync()
    {
        _core = new PoolScheduler(Pool, _config, LiveQueuePolicies.For(_config.Tuning.Policy), time);
        RestoreAdmissions();
        _running.Clear();
        _nodeVersions.Clear();
        var reports = await Task.WhenAll(state.State.Nodes.Select(n => GrainFactory.GetGrain<IGpuNodeGrain>(n).GetPoolReportAsync()));
        foreach (var report in reports) Apply(report);
        var now = time.GetUtcNow();
        foreach (var step in _queued.Values) _core.Enqueue(SchedulingJobs.ToJob(step, now));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Pool}: queue policy is now {Policy}")]
    private partial void LogPolicy(string pool, string policy);

    /// <summary>Steps wait, or waiting admissions may fit now: a pass has work to do.</summary>
    private bool PassWanted => _queued.Count > 0 || _core.AdmissionsToRecheck;

    private void RequestPass()
    {
        if (_passRequested) return;
        _passRequested = true;
        this.AsReference<ISchedulerGrain>().PlaceAsync().Ignore();
    }

    private void PublishMetrics()
    {
        var usage = _core.Usage();
        SchedulerMetrics.QueueDepth(Pool, usage.Queued);
        SchedulerMetrics.PoolUsage(usage);
    }
}
