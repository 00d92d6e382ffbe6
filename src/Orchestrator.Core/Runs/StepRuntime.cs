using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Runs;

/// <summary>The live state of one planned step, as rebuilt from the run's events.</summary>
public sealed class StepRuntime
{
    private readonly List<AttemptRecord> _attempts = [];
    private readonly HashSet<int> _succeededReplicas = [];

    internal StepRuntime(int index, PlannedStep plan)
    {
        Index = index;
        Plan = plan;
        PendingUpstream = plan.Upstream.Count;
    }

    /// <summary>Position in the plan.</summary>
    public int Index { get; }
    /// <summary>What was planned.</summary>
    public PlannedStep Plan { get; }
    /// <summary>The step's key.</summary>
    public string Key => Plan.Key;
    /// <summary>Current state.</summary>
    public StepState State { get; internal set; } = StepState.Waiting;
    /// <summary>Current attempt number, 0 before the first.</summary>
    public int Attempt { get; internal set; }
    /// <summary>Failed attempts that used the retry budget since the last run retry.</summary>
    public int UserFailures { get; internal set; }
    /// <summary>Attempts lost to infrastructure (agent lost, server restart).</summary>
    public int InfraFailures { get; internal set; }
    /// <summary>Node of the current attempt.</summary>
    public string? Node { get; internal set; }
    /// <summary>GPU indices of the current attempt (of replica 0 for a gang).</summary>
    public IReadOnlyList<int> Gpus { get; internal set; } = [];
    /// <summary>Where each process of the current attempt runs: one slot for an ordinary step, one per replica for a
    /// gang; empty until placed.</summary>
    public IReadOnlyList<ReplicaSlot> Replicas { get; internal set; } = [];
    /// <summary>Replicas of the current gang attempt that ended well.</summary>
    public IReadOnlySet<int> SucceededReplicas => _succeededReplicas;
    /// <summary>Replica 0's outputs, once it ended well before the rest of its gang.</summary>
    public IReadOnlyList<StepOutput>? RankZeroOutputs { get; internal set; }
    /// <summary>When the step first became ready to place; kept across infrastructure retries (and preemptions), so the
    /// scheduler's first-come order and aging count from there; a failure that uses a retry starts it again.</summary>
    public DateTimeOffset? ReadySince { get; internal set; }
    /// <summary>When the step first started running.</summary>
    public DateTimeOffset? StartedAt { get; internal set; }
    /// <summary>When it reached a terminal state.</summary>
    public DateTimeOffset? FinishedAt { get; internal set; }
    /// <summary>When the pending retry is due, or null.</summary>
    public DateTimeOffset? RetryAt { get; internal set; }
    /// <summary>Outputs once succeeded or cached.</summary>
    public IReadOnlyList<StepOutput>? Outputs { get; internal set; }
    /// <summary>Last notable message.</summary>
    public string? Message { get; internal set; }
    /// <summary>Cache key of the current execution, when caching applies.</summary>
    public string? CacheKey { get; internal set; }
    /// <summary>Why it was skipped, when skipped.</summary>
    public SkipCause? SkipCause { get; internal set; }
    /// <summary>The current attempt was ordered stopped by preemption and has not ended yet.</summary>
    public bool PreemptRequested { get; internal set; }
    /// <summary>The grace of that order (SIGTERM to SIGKILL), when it gave one.</summary>
    public TimeSpan? PreemptGrace { get; internal set; }
    /// <summary>Every attempt so far.</summary>
    public IReadOnlyList<AttemptRecord> Attempts => _attempts;

    /// <summary>Upstream steps not yet terminal.</summary>
    internal int PendingUpstream { get; set; }

    internal void AddAttempt(AttemptRecord attempt) => _attempts.Add(attempt);

    /// <summary>The current attempt's placement: where its processes run.</summary>
    internal void Place(IReadOnlyList<ReplicaSlot> replicas)
    {
        Replicas = replicas;
        Node = replicas.Count == 0 ? null : replicas[0].Node;
        Gpus = replicas.Count == 0 ? [] : replicas[0].Gpus;
        _succeededReplicas.Clear();
        RankZeroOutputs = null;
    }

    internal void ReplicaSucceeded(int replica, IReadOnlyList<StepOutput>? outputs)
    {
        _succeededReplicas.Add(replica);
        if (replica == 0) RankZeroOutputs = outputs ?? [];
    }

    internal void UpdateCurrentAttempt(Func<AttemptRecord, AttemptRecord> update)
    {
        if (_attempts.Count > 0 && _attempts[^1].Number == Attempt) _attempts[^1] = update(_attempts[^1]);
    }
}

/// <summary>One attempt of a step.</summary>
public sealed record AttemptRecord
{
    /// <summary>1, 2, 3...</summary>
    public int Number { get; init; }
    /// <summary>The attempt's state: Ready, Placed, Running, or how it ended.</summary>
    public StepState State { get; init; }
    /// <summary>Where it ran.</summary>
    public string? Node { get; init; }
    /// <summary>Its GPUs (replica 0's for a gang).</summary>
    public IReadOnlyList<int> Gpus { get; init; } = [];
    /// <summary>Every replica's node and GPUs, for a gang; empty for one process.</summary>
    public IReadOnlyList<ReplicaSlot> Replicas { get; init; } = [];
    /// <summary>When its process started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it ended.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Process exit code.</summary>
    public int? ExitCode { get; init; }
    /// <summary>Why it ended that way.</summary>
    public string? Message { get; init; }
    /// <summary>Lost to infrastructure.</summary>
    public bool Infrastructure { get; init; }
    /// <summary>Preempted: stopped (or being stopped) so that a waiting step could run; it used no retry.</summary>
    public bool Preempted { get; init; }
}
