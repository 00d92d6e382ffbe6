namespace Orchestrator.Core.Runs;

/// <summary>What happened in a run. The run's durable truth is its ordered list of events.</summary>
public enum RunEventType
{
    /// <summary>The run was accepted.</summary>
    RunSubmitted = 1,
    /// <summary>The first step was placed or reused from the cache.</summary>
    RunStarted,
    /// <summary>A step (attempt) was queued for placement.</summary>
    StepReady,
    /// <summary>A node and GPUs were assigned to a step attempt.</summary>
    StepPlaced,
    /// <summary>The agent started the step's process.</summary>
    StepStarted,
    /// <summary>The step finished with all its outputs.</summary>
    StepSucceeded,
    /// <summary>The step's outputs were reused from an identical earlier step.</summary>
    StepCached,
    /// <summary>One attempt failed; another follows at <see cref="RunEvent.RetryAt"/>.</summary>
    StepAttemptFailed,
    /// <summary>The step failed for good.</summary>
    StepFailed,
    /// <summary>The step will not run (condition false, or an input from a step that did not succeed).</summary>
    StepSkipped,
    /// <summary>The step was stopped or never started because the run was cancelled.</summary>
    StepCancelled,
    /// <summary>A user asked to cancel the run.</summary>
    CancelRequested,
    /// <summary>A user retried a failed run: failed and downstream steps start over.</summary>
    RunRetried,
    /// <summary>The run reached a terminal state.</summary>
    RunFinished,
    /// <summary>The scheduler ordered a step attempt stopped so that a waiting step can have its resources (the
    /// message says why); when the attempt ends it goes back to the queue without using a retry.</summary>
    StepPreempted,
    /// <summary>The run asks its pool's scheduler to reserve its peak concurrent GPU demand (<see cref="RunEvent.PeakGpus"/>
    /// in <see cref="RunEvent.Pool"/>); no step is queued until it is admitted.</summary>
    RunAdmissionRequested,
    /// <summary>The reservation was made: the run's steps may be queued.</summary>
    RunAdmitted,
    /// <summary>One process (<see cref="RunEvent.Replica"/>) of a gang step ended well; the step succeeds once every
    /// replica has. Replica 0's event carries the step's outputs.</summary>
    StepReplicaSucceeded,
}

/// <summary>One event of a run: who did what, when, to which step.</summary>
public sealed record RunEvent
{
    /// <summary>1, 2, 3... in the order events happened in this run.</summary>
    public long Revision { get; init; }
    /// <summary>When it happened.</summary>
    public DateTimeOffset Time { get; init; }
    /// <summary>Who caused it: <c>user:alice</c>, <c>scheduler</c>, <c>agent:node-1</c>, <c>system</c>.</summary>
    public string Actor { get; init; } = "system";
    /// <summary>What happened.</summary>
    public RunEventType Type { get; init; }
    /// <summary>The step it concerns, or null for run-level events.</summary>
    public string? StepKey { get; init; }
    /// <summary>The step attempt it concerns, 0 when not about an attempt.</summary>
    public int Attempt { get; init; }
    /// <summary>Node of a placement or start.</summary>
    public string? Node { get; init; }
    /// <summary>GPU indices of a placement (of replica 0 for a gang).</summary>
    public IReadOnlyList<int>? Gpus { get; init; }
    /// <summary>On a gang's <see cref="RunEventType.StepPlaced"/>: every replica's node and GPUs; null for one process.</summary>
    public IReadOnlyList<ReplicaSlot>? Replicas { get; init; }
    /// <summary>The gang process an event concerns (<see cref="RunEventType.StepReplicaSucceeded"/>, or the replica
    /// whose end ended the attempt); null when not about one process.</summary>
    public int? Replica { get; init; }
    /// <summary>Exit code of a finished attempt.</summary>
    public int? ExitCode { get; init; }
    /// <summary>Human-readable detail: why it failed, was skipped, was cancelled.</summary>
    public string? Message { get; init; }
    /// <summary>Outputs of a succeeded or cached step.</summary>
    public IReadOnlyList<StepOutput>? Outputs { get; init; }
    /// <summary>When a failed attempt will be retried.</summary>
    public DateTimeOffset? RetryAt { get; init; }
    /// <summary>The attempt failed for an infrastructure reason; it does not use the retry budget.</summary>
    public bool Infrastructure { get; init; }
    /// <summary>On <see cref="RunEventType.StepAttemptFailed"/>: the attempt ended because it was preempted; it uses
    /// neither the retry budget nor the infrastructure cap, and the step keeps its place in the queue.</summary>
    public bool Preempted { get; init; }
    /// <summary>Final state, on <see cref="RunEventType.RunFinished"/>.</summary>
    public RunState? RunState { get; init; }
    /// <summary>Cache key of a ready or cached step.</summary>
    public string? CacheKey { get; init; }
    /// <summary>Why a step was skipped; decides whether a retry of the run runs it again.</summary>
    public SkipCause? SkipCause { get; init; }
    /// <summary>On <see cref="RunEventType.RunAdmissionRequested"/>: the pool whose scheduler admits the run (null when
    /// its peak is 0 and no scheduler is asked).</summary>
    public string? Pool { get; init; }
    /// <summary>On <see cref="RunEventType.RunAdmissionRequested"/>: the run's peak concurrent GPU demand.</summary>
    public long? PeakGpus { get; init; }

    /// <summary>On <see cref="RunEventType.StepPreempted"/>: the time between SIGTERM and SIGKILL the scheduler gave.</summary>
    public TimeSpan? Grace { get; init; }

    /// <summary>The state a step is in after this event, or null for run-level events.</summary>
    public StepState? StepStateAfter => Type switch
    {
        RunEventType.StepReady => StepState.Ready,
        RunEventType.StepPlaced => StepState.Placed,
        RunEventType.StepStarted => StepState.Running,
        RunEventType.StepSucceeded => StepState.Succeeded,
        RunEventType.StepCached => StepState.Cached,
        RunEventType.StepAttemptFailed => StepState.Waiting,
        RunEventType.StepFailed => StepState.Failed,
        RunEventType.StepSkipped => StepState.Skipped,
        RunEventType.StepCancelled => StepState.Cancelled,
        _ => null,
    };
}

/// <summary>Why a step was skipped.</summary>
public enum SkipCause
{
    /// <summary>Its condition was false.</summary>
    Condition = 1,
    /// <summary>An input or condition read a step that was skipped, failed or cancelled.</summary>
    Upstream = 2,
}
