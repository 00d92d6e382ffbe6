using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Runs;

/// <summary>The state machine of one run, rebuilt from its events.</summary>
/// <remarks>
/// Two kinds of members: <see cref="Apply"/> mutates state from an event and never decides anything (so replaying
/// the journal after a restart gives the same state), and the decision methods (in RunMachine.Decisions.cs) look at
/// the state and return the events that should happen, without applying them: the grain persists those events first
/// and applies them after, so nothing is acted on before it is durable. Every operation is O(1) in the size of the run
/// except a run retry, and activation, which is O(edges of the step).
/// </remarks>
public sealed partial class RunMachine
{
    /// <summary>Attempts a step may lose to infrastructure before it fails for good.</summary>
    public const int MaxInfrastructureRetries = 10;

    private readonly StepRuntime[] _steps;
    private readonly Dictionary<string, int> _byKey;
    private readonly Queue<int> _activatable = new();
    private readonly SortedSet<(DateTimeOffset At, int Index)> _retries = new();
    private readonly int[] _counts = new int[10];
    private readonly List<RunEvent> _events = [];

    /// <summary>Creates the machine for a planned run; every step starts Waiting.</summary>
    public RunMachine(string runId, RunPlan plan, bool cacheDisabled)
    {
        RunId = runId;
        Plan = plan;
        CacheDisabled = cacheDisabled;
        _steps = new StepRuntime[plan.Steps.Count];
        _byKey = new Dictionary<string, int>(plan.Steps.Count, StringComparer.Ordinal);
        for (var i = 0; i < _steps.Length; i++)
        {
            _steps[i] = new StepRuntime(i, plan.Steps[i]);
            _byKey[plan.Steps[i].Key] = i;
            if (_steps[i].PendingUpstream == 0) _activatable.Enqueue(i);
        }

        _counts[(int)StepState.Waiting] = _steps.Length;
    }

    /// <summary>The run's id.</summary>
    public string RunId { get; }
    /// <summary>The expanded pipeline.</summary>
    public RunPlan Plan { get; }
    /// <summary>The run turned the step cache off.</summary>
    public bool CacheDisabled { get; }
    /// <summary>The run's state.</summary>
    public RunState State { get; private set; } = RunState.Pending;
    /// <summary>Revision of the last applied event.</summary>
    public long Revision { get; private set; }
    /// <summary>A user asked to cancel.</summary>
    public bool CancelRequested { get; private set; }
    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>When its first step was placed or cached.</summary>
    public DateTimeOffset? StartedAt { get; private set; }
    /// <summary>When it finished.</summary>
    public DateTimeOffset? FinishedAt { get; private set; }
    /// <summary>Why it failed or was cancelled.</summary>
    public string? Message { get; private set; }
    /// <summary>Every step, in plan order.</summary>
    public IReadOnlyList<StepRuntime> Steps => _steps;
    /// <summary>Every event applied so far, in order.</summary>
    public IReadOnlyList<RunEvent> Events => _events;
    /// <summary>True once the run is Succeeded, Failed or Cancelled.</summary>
    public bool IsTerminal => State.IsTerminal();
    /// <summary>Steps not yet in a terminal state.</summary>
    public int ActiveStepCount => _steps.Length - TerminalStepCount;
    /// <summary>True between <see cref="RunEventType.RunAdmissionRequested"/> and <see cref="RunEventType.RunAdmitted"/>:
    /// no step is activated meanwhile (unless the run is cancelled, so its exit handler can still run).</summary>
    public bool AdmissionWaiting { get; private set; }
    /// <summary>True once the run holds a whole-run admission (until a retry asks for it again).</summary>
    public bool Admitted { get; private set; }
    /// <summary>The pool the run asked for admission in; null for a stepwise run or a peak of 0.</summary>
    public string? AdmissionPool { get; private set; }
    /// <summary>The peak GPUs the run asked to reserve, or null for a stepwise run.</summary>
    public long? AdmissionGpus { get; private set; }
    /// <summary>The earliest pending retry, or null.</summary>
    public DateTimeOffset? NextRetryAt => _retries.Count == 0 ? null : _retries.Min.At;

    private int TerminalStepCount =>
        _counts[(int)StepState.Succeeded] + _counts[(int)StepState.Failed] + _counts[(int)StepState.Skipped] +
        _counts[(int)StepState.Cached] + _counts[(int)StepState.Cancelled];

    /// <summary>Number of steps in a state.</summary>
    public int CountIn(StepState state) => _counts[(int)state];

    /// <summary>The step with this key, or null.</summary>
    public StepRuntime? Find(string key) => _byKey.TryGetValue(key, out var i) ? _steps[i] : null;

    /// <summary>Applies one event. Throws when the event does not follow the last one or does not fit the state:
    /// both mean a bug or a corrupt journal, never user input.</summary>
    public void Apply(RunEvent e)
    {
        if (e.Revision != Revision + 1)
            throw new InvalidOperationException($"Run {RunId}: event revision {e.Revision} does not follow {Revision}.");

        var step = e.StepKey is null ? null : Find(e.StepKey) ?? throw new InvalidOperationException($"Run {RunId}: no step '{e.StepKey}'.");
        switch (e.Type)
        {
            case RunEventType.RunSubmitted:
                CreatedAt = e.Time;
                break;
            case RunEventType.RunStarted:
                State = RunState.Running;
                StartedAt ??= e.Time;
                break;
            case RunEventType.StepReady:
                RemoveRetry(step!);
                SetState(step!, StepState.Ready);
                step!.Attempt = e.Attempt;
                step.PreemptRequested = false;
                step.ReadySince ??= e.Time;
                step.Place([]);
                step.CacheKey = e.CacheKey ?? step.CacheKey;
                step.AddAttempt(new AttemptRecord { Number = e.Attempt, State = StepState.Ready });
                break;
            case RunEventType.StepPlaced:
                SetState(step!, StepState.Placed);
                step!.Place(e.Replicas ?? [new ReplicaSlot(0, e.Node!, e.Gpus ?? [])]);
                step.UpdateCurrentAttempt(a => a with { State = StepState.Placed, Node = e.Node, Gpus = step.Gpus, Replicas = e.Replicas ?? [] });
                break;
            case RunEventType.StepStarted:
                SetState(step!, StepState.Running);
                step!.StartedAt ??= e.Time;
                step.UpdateCurrentAttempt(a => a with { State = StepState.Running, StartedAt = e.Time });
                break;
            case RunEventType.StepReplicaSucceeded:
                step!.ReplicaSucceeded(e.Replica ?? 0, e.Outputs);
                break;
            case RunEventType.StepSucceeded:
                step!.Outputs = e.Outputs ?? [];
                step.UpdateCurrentAttempt(a => a with { State = StepState.Succeeded, FinishedAt = e.Time, ExitCode = e.ExitCode });
                Finish(step, StepState.Succeeded, e);
                break;
            case RunEventType.StepCached:
                step!.Outputs = e.Outputs ?? [];
                step.CacheKey = e.CacheKey;
                Finish(step, StepState.Cached, e);
                break;
            case RunEventType.StepAttemptFailed:
                SetState(step!, StepState.Waiting);
                // A preempted attempt was not the step's fault nor the infrastructure's: it counts against nothing and
                // keeps ReadySince, so the step goes back to its place in the queue.
                if (e.Preempted) step!.PreemptRequested = false;
                else if (e.Infrastructure) step!.InfraFailures++;
                else
                {
                    step!.UserFailures++;
                    step.ReadySince = null;
                }

                step.UpdateCurrentAttempt(a => a with
                {
                    State = e.Preempted ? StepState.Cancelled : StepState.Failed, FinishedAt = e.Time, ExitCode = e.ExitCode,
                    Message = e.Message, Infrastructure = e.Infrastructure, Preempted = a.Preempted || e.Preempted,
                });
                step.Message = e.Message;
                step.Place([]);
                step.RetryAt = e.RetryAt ?? e.Time;
                _retries.Add((step.RetryAt.Value, step.Index));
                break;
            case RunEventType.StepFailed:
                RemoveRetry(step!);
                step!.UpdateCurrentAttempt(a => a.State.IsTerminal() ? a : a with
                {
                    State = StepState.Failed, FinishedAt = e.Time, ExitCode = e.ExitCode, Message = e.Message, Infrastructure = e.Infrastructure,
                });
                Finish(step, StepState.Failed, e);
                break;
            case RunEventType.StepSkipped:
                step!.SkipCause = e.SkipCause;
                Finish(step, StepState.Skipped, e);
                break;
            case RunEventType.StepCancelled:
                RemoveRetry(step!);
                step!.UpdateCurrentAttempt(a => a.State.IsTerminal() ? a : a with { State = StepState.Cancelled, FinishedAt = e.Time, Message = e.Message });
                Finish(step, StepState.Cancelled, e);
                break;
            case RunEventType.StepPreempted:
                step!.PreemptRequested = true;
                step.PreemptGrace = e.Grace;
                step.Message = e.Message;
                step.UpdateCurrentAttempt(a => a with { Preempted = true, Message = e.Message });
                break;
            case RunEventType.CancelRequested:
                CancelRequested = true;
                Message = e.Message;
                break;
            case RunEventType.RunRetried:
                ApplyRetry();
                break;
            case RunEventType.RunAdmissionRequested:
                AdmissionWaiting = true;
                Admitted = false;
                AdmissionPool = e.Pool;
                AdmissionGpus = e.PeakGpus ?? 0;
                break;
            case RunEventType.RunAdmitted:
                AdmissionWaiting = false;
                Admitted = true;
                break;
            case RunEventType.RunFinished:
                State = e.RunState ?? throw new InvalidOperationException($"Run {RunId}: RunFinished without a state.");
                FinishedAt = e.Time;
                Message = e.Message ?? Message;
                break;
            default:
                throw new InvalidOperationException($"Run {RunId}: unknown event type {e.Type}.");
        }

        Revision = e.Revision;
        _events.Add(e);
    }

    private void Finish(StepRuntime step, StepState state, RunEvent e)
    {
        SetState(step, state);
        step.PreemptRequested = false;
        step.FinishedAt = e.Time;
        step.Message = e.Message ?? step.Message;
        step.RetryAt = null;
        foreach (var d in step.Plan.Downstream)
        {
            var down = _steps[d];
            down.PendingUpstream--;
            if (down.PendingUpstream == 0 && down.State == StepState.Waiting && down.RetryAt is null) _activatable.Enqueue(d);
        }
    }

    private void SetState(StepRuntime step, StepState state)
    {
        _counts[(int)step.State]--;
        _counts[(int)state]++;
        step.State = state;
    }

    private void RemoveRetry(StepRuntime step)
    {
        if (step.RetryAt is { } at) _retries.Remove((at, step.Index));
        step.RetryAt = null;
    }

    /// <summary>Failed and cancelled steps, everything downstream of them, and the exit handler start over.</summary>
    private void ApplyRetry()
    {
        var reset = new bool[_steps.Length];
        var stack = new Stack<int>();
        foreach (var s in _steps)
        {
            if (s.State is StepState.Failed or StepState.Cancelled || s.Plan.Definition.IsExitHandler) stack.Push(s.Index);
        }

        while (stack.TryPop(out var i))
        {
            if (reset[i]) continue;
            reset[i] = true;
            foreach (var d in _steps[i].Plan.Downstream) stack.Push(d);
        }

        for (var i = 0; i < _steps.Length; i++)
        {
            if (!reset[i]) continue;
            var s = _steps[i];
            RemoveRetry(s);
            SetState(s, StepState.Waiting);
            s.UserFailures = 0;
            s.Outputs = null;
            s.FinishedAt = null;
            s.Message = null;
            s.SkipCause = null;
            s.Place([]);
        }

        for (var i = 0; i < _steps.Length; i++)
        {
            if (!reset[i]) continue;
            var s = _steps[i];
            s.PendingUpstream = s.Plan.Upstream.Count(u => !_steps[u].State.IsTerminal());
            if (s.PendingUpstream == 0) _activatable.Enqueue(i);
        }

        State = RunState.Running;
        FinishedAt = null;
        CancelRequested = false;
        Message = null;
    }
}
