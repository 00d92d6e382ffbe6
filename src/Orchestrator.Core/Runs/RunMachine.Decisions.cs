using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Runs;

/// <summary>Decisions: each looks at the state and returns the events that should happen next, unapplied.</summary>
public sealed partial class RunMachine
{
    /// <summary>The first event of every run.</summary>
    public IReadOnlyList<RunEvent> Submit(string actor, DateTimeOffset now) =>
        [new RunEvent { Type = RunEventType.RunSubmitted, Actor = actor, Time = now }];

    /// <summary>Steps whose upstream steps are all terminal and that have not been activated yet. Drains the queue:
    /// the caller decides each one with <see cref="Decide"/>; events it applies may queue more.</summary>
    public List<int> DrainActivatable()
    {
        var result = new List<int>();
        // Not admitted yet: steps stay Waiting (and in the activation queue) until RunAdmitted; a cancel lets the exit handler run.
        if (AdmissionWaiting && !CancelRequested) return result;
        while (_activatable.TryDequeue(out var i))
        {
            var s = _steps[i];
            if (s.State == StepState.Waiting && s.RetryAt is null && s.PendingUpstream == 0) result.Add(i);
        }

        return result;
    }

    /// <summary>Retries whose backoff is over at <paramref name="now"/>.</summary>
    public List<int> DueRetries(DateTimeOffset now)
    {
        var result = new List<int>();
        foreach (var (at, index) in _retries)
        {
            if (at > now) break;
            result.Add(index);
        }

        return result;
    }

    /// <summary>The run's outcome so far, as the exit handler's <c>{{run.status}}</c> sees it.</summary>
    public string StatusSoFar()
    {
        if (CancelRequested) return "Cancelled";
        return _counts[(int)StepState.Failed] > 0 ? "Failed" : "Succeeded";
    }

    /// <summary>Decides what an activatable step does: run (with its resolved command and inputs), skip, fail or be cancelled.</summary>
    public Activation Decide(int index)
    {
        var step = _steps[index];
        var isExitHandler = step.Plan.Definition.IsExitHandler;
        if (CancelRequested && !isExitHandler) return Activation.Cancelled("the run was cancelled");
        if (!isExitHandler)
        {
            foreach (var u in step.Plan.Upstream)
            {
                var up = _steps[u];
                if (up.State is StepState.Failed or StepState.Cancelled)
                    return Activation.Skipped(SkipCause.Upstream, $"upstream step {up.Key} {up.State.ToString().ToLowerInvariant()}");
            }
        }

        var resolution = StepResolver.Resolve(Plan, index, Context());
        return resolution switch
        {
            StepResolution.Run run => Activation.Runs(CacheDisabled ? run.Step with { CacheKey = null } : run.Step),
            StepResolution.Skip skip => Activation.Skipped(skip.Cause, skip.Reason),
            StepResolution.Fail fail => Activation.Failed(fail.Reason),
            _ => throw new InvalidOperationException($"Unknown resolution {resolution}"),
        };
    }

    /// <summary>Resolves a step again (for a re-dispatch after a restart). Null when it would not run now.</summary>
    public ResolvedStep? ResolveForDispatch(int index)
    {
        if (StepResolver.Resolve(Plan, index, Context()) is not StepResolution.Run run) return null;
        return CacheDisabled ? run.Step with { CacheKey = null } : run.Step;
    }

    /// <summary>Events for an activation decided by <see cref="Decide"/> (after a cache miss, for a step that runs).</summary>
    public RunEvent ActivationEvent(int index, Activation activation, string actor, DateTimeOffset now)
    {
        var step = _steps[index];
        return activation.Kind switch
        {
            ActivationKind.Run => new RunEvent
            {
                Type = RunEventType.StepReady, StepKey = step.Key, Attempt = step.Attempt + 1, Actor = actor, Time = now,
                CacheKey = activation.Step!.CacheKey,
            },
            ActivationKind.Skip => new RunEvent
            {
                Type = RunEventType.StepSkipped, StepKey = step.Key, Actor = actor, Time = now, Message = activation.Reason,
                SkipCause = activation.SkipCause,
            },
            ActivationKind.Fail => new RunEvent
            {
                Type = RunEventType.StepFailed, StepKey = step.Key, Attempt = step.Attempt, Actor = actor, Time = now, Message = activation.Reason,
            },
            ActivationKind.Cancel => new RunEvent
            {
                Type = RunEventType.StepCancelled, StepKey = step.Key, Attempt = step.Attempt, Actor = actor, Time = now, Message = activation.Reason,
            },
            _ => throw new InvalidOperationException($"Unknown activation {activation.Kind}"),
        };
    }

    /// <summary>A cache hit: the step's outputs come from an identical earlier step.</summary>
    public IReadOnlyList<RunEvent> Cached(int index, string cacheKey, IReadOnlyList<StepOutput> outputs, string actor, DateTimeOffset now)
    {
        var events = new List<RunEvent>(2);
        StartIfPending(events, now);
        events.Add(new RunEvent
        {
            Type = RunEventType.StepCached, StepKey = _steps[index].Key, Actor = actor, Time = now, Outputs = outputs, CacheKey = cacheKey,
            Message = "outputs reused from the step cache",
        });
        return events;
    }

    /// <summary>A step whose retry backoff is over is queued again as a new attempt.</summary>
    public RunEvent RetryNow(int index, DateTimeOffset now)
    {
        var step = _steps[index];
        return new RunEvent { Type = RunEventType.StepReady, StepKey = step.Key, Attempt = step.Attempt + 1, Actor = "system", Time = now, CacheKey = step.CacheKey };
    }

    /// <summary>The scheduler placed a step attempt on a node.</summary>
    public Transition OnPlaced(string key, int attempt, string node, IReadOnlyList<int> gpus, DateTimeOffset now) =>
        OnPlaced(key, attempt, [new ReplicaSlot(0, node, gpus)], now);

    /// <summary>The scheduler placed a step attempt: every process of it at once (one slot per replica, in replica order).</summary>
    public Transition OnPlaced(string key, int attempt, IReadOnlyList<ReplicaSlot> replicas, DateTimeOffset now)
    {
        var step = Find(key);
        if (step is null || step.Attempt != attempt || replicas.Count == 0) return Transition.Stale;
        var node = replicas[0].Node;
        if (step.State is StepState.Placed or StepState.Running && step.Node == node) return Transition.Duplicate;
        if (step.State != StepState.Ready) return Transition.Stale;
        var events = new List<RunEvent>(2);
        StartIfPending(events, now);
        events.Add(new RunEvent
        {
            Type = RunEventType.StepPlaced, StepKey = key, Attempt = attempt, Node = node, Gpus = replicas[0].Gpus,
            Replicas = replicas.Count > 1 ? replicas : null, Actor = "scheduler", Time = now,
        });
        return Transition.Apply(events);
    }

    /// <summary>The agent started a step attempt's process.</summary>
    public Transition OnStarted(string key, int attempt, string node, DateTimeOffset now)
    {
        var step = Find(key);
        if (step is null || step.Attempt != attempt) return Transition.Stale;
        if (step.State == StepState.Running) return Transition.Duplicate;
        if (step.State != StepState.Placed) return step.State.IsTerminal() ? Transition.Stale : Transition.Duplicate;
        return Transition.Apply([new RunEvent { Type = RunEventType.StepStarted, StepKey = key, Attempt = attempt, Node = node, Actor = $"agent:{node}", Time = now }]);
    }

    /// <summary>The agent reported how a step attempt (or, for a gang, one of its processes: <paramref name="replica"/>)
    /// ended. A gang succeeds once every replica has, with replica 0's outputs; the first replica to fail, be lost or be
    /// stopped ends the whole attempt (the caller stops the others).</summary>
    public Transition OnFinished(string key, int attempt, AttemptOutcome outcome, int exitCode, string? message,
        IReadOnlyList<StepOutput> outputs, string node, DateTimeOffset now, int replica = 0)
    {
        var step = Find(key);
        if (step is null || step.Attempt != attempt) return Transition.Stale;
        if (step.State is not (StepState.Placed or StepState.Running))
            return step.State.IsTerminal() || step.State == StepState.Waiting ? Transition.Duplicate : Transition.Stale;

        var actor = $"agent:{node}";
        var gang = step.Replicas.Count > 1;
        if (gang)
        {
            if (replica < 0 || replica >= step.Replicas.Count) return Transition.Stale;
            if (step.SucceededReplicas.Contains(replica)) return Transition.Duplicate;
            if (message is not null || outcome != AttemptOutcome.Succeeded)
                message = $"replica {replica} on node {node}: {message ?? (outcome == AttemptOutcome.TimedOut ? "timed out" : $"exited with code {exitCode}")}";
            if (outcome == AttemptOutcome.Succeeded && step.SucceededReplicas.Count + 1 < step.Replicas.Count)
            {
                return Transition.Apply([new RunEvent
                {
                    Type = RunEventType.StepReplicaSucceeded, StepKey = key, Attempt = attempt, Replica = replica, ExitCode = exitCode,
                    Outputs = replica == 0 ? outputs : null, Node = node, Actor = actor, Time = now,
                    Message = $"replica {replica} of {step.Replicas.Count} ended well",
                }]);
            }

            if (outcome == AttemptOutcome.Succeeded && replica != 0) outputs = step.RankZeroOutputs ?? [];
        }

        return outcome switch
        {
            AttemptOutcome.Succeeded => Transition.Apply([new RunEvent
            {
                Type = RunEventType.StepSucceeded, StepKey = key, Attempt = attempt, ExitCode = exitCode, Outputs = outputs, Node = node,
                Actor = actor, Time = now, Replica = gang ? replica : null,
            }]),
            _ when step.PreemptRequested && !CancelRequested =>
                Transition.Apply([PreemptedAttemptEnded(step, message is null ? $"stopped after preemption (exit code {exitCode})" : $"stopped after preemption: {message}", actor, now, exitCode)]),
            AttemptOutcome.Cancelled when CancelRequested => Transition.Apply([new RunEvent
            {
                Type = RunEventType.StepCancelled, StepKey = key, Attempt = attempt, ExitCode = exitCode, Message = message ?? "cancelled",
                Actor = actor, Time = now,
            }]),
            AttemptOutcome.Cancelled or AttemptOutcome.InfrastructureFailed =>
                Transition.Apply([InfrastructureFailure(step, message ?? "the agent stopped the step", actor, now, exitCode)]),
            _ => Transition.Apply([UserFailure(step, outcome, exitCode, message, actor, now)]),
        };
    }

    /// <summary>The step attempt's node or agent was lost (or the server restarted under it).</summary>
    public Transition OnLost(string key, int attempt, string reason, DateTimeOffset now)
    {
        var step = Find(key);
        if (step is null || step.Attempt != attempt) return Transition.Stale;
        if (step.State is not (StepState.Placed or StepState.Running)) return Transition.Duplicate;
        if (step.PreemptRequested && !CancelRequested) return Transition.Apply([PreemptedAttemptEnded(step, $"preempted; then {reason}", "system", now, exitCode: null)]);
        return Transition.Apply([InfrastructureFailure(step, reason, "system", now, exitCode: null)]);
    }

    /// <summary>A user cancels the run. Waiting, ready and placed steps are cancelled at once (the caller stops placed
    /// ones on their node); running steps are stopped by their agent and reported. Idempotent.</summary>
    public IReadOnlyList<RunEvent> RequestCancel(string actor, string reason, DateTimeOffset now)
    {
        if (IsTerminal) throw new RunPreconditionException($"run {RunId} is already {State.ToString().ToLowerInvariant()}; there is nothing to cancel");
        if (CancelRequested) return [];
        var message = string.IsNullOrWhiteSpace(reason) ? $"cancelled by {actor}" : $"cancelled by {actor}: {reason}";
        var events = new List<RunEvent> { new() { Type = RunEventType.CancelRequested, Actor = actor, Time = now, Message = message } };
        foreach (var s in _steps)
        {
            if (s.Plan.Definition.IsExitHandler) continue;
            if (s.State is StepState.Waiting or StepState.Ready or StepState.Placed)
                events.Add(new RunEvent { Type = RunEventType.StepCancelled, StepKey = s.Key, Attempt = s.Attempt, Actor = actor, Time = now, Message = message });
        }

        return events;
    }

    /// <summary>A user retries a failed or cancelled run.</summary>
    public IReadOnlyList<RunEvent> Retry(string actor, DateTimeOffset now)
    {
        if (State is not (RunState.Failed or RunState.Cancelled))
            throw new RunPreconditionException($"run {RunId} is {State.ToString().ToLowerInvariant()}; only a failed or cancelled run can be retried");
        var retried = new RunEvent { Type = RunEventType.RunRetried, Actor = actor, Time = now, Message = $"retried by {actor}" };
        // The reservation was withdrawn when the run ended: a whole-run admission is asked for again.
        return AdmissionGpus is { } peak ? [retried, .. RequestAdmission(AdmissionPool, peak, now)] : [retried];
    }

    /// <summary>The events that ask for whole-run admission of <paramref name="peakGpus"/> in <paramref name="pool"/>; a
    /// peak of 0 is admitted at once, without a scheduler.</summary>
    public IReadOnlyList<RunEvent> RequestAdmission(string? pool, long peakGpus, DateTimeOffset now)
    {
        var requested = new RunEvent
        {
            Type = RunEventType.RunAdmissionRequested, Actor = "system", Time = now, Pool = peakGpus > 0 ? pool : null, PeakGpus = peakGpus,
            Message = peakGpus > 0 ? $"whole-run admission: {peakGpus} GPUs at its peak, to reserve in pool {pool}" : "whole-run admission: no GPU step, admitted at once",
        };
        return peakGpus > 0 ? [requested] : [requested, Admit("system", now)!];
    }

    /// <summary>The run's admission was granted: <see cref="RunEventType.RunAdmitted"/>, or null when it does not wait for one.</summary>
    public RunEvent? OnAdmitted(string actor, DateTimeOffset now) => AdmissionWaiting ? Admit(actor, now) : null;

    private static RunEvent Admit(string actor, DateTimeOffset now) =>
        new() { Type = RunEventType.RunAdmitted, Actor = actor, Time = now, Message = "admitted: its peak GPUs are reserved" };

    /// <summary>The final event, once every step is terminal; null otherwise.</summary>
    public RunEvent? TryFinish(DateTimeOffset now)
    {
        if (IsTerminal || ActiveStepCount > 0) return null;
        var failed = _steps.FirstOrDefault(s => s.State == StepState.Failed);
        var state = CancelRequested ? RunState.Cancelled : failed is not null ? RunState.Failed : RunState.Succeeded;
        var message = state switch
        {
            RunState.Cancelled => Message,
            RunState.Failed => $"step {failed!.Key} failed: {failed.Message}",
            _ => null,
        };
        return new RunEvent { Type = RunEventType.RunFinished, RunState = state, Actor = "system", Time = now, Message = message };
    }

    /// <summary>What the resolver reads of this run: its id, its status so far, and each step's state and outputs.</summary>
    private StepContext Context() => new(RunId, StatusSoFar(), i => new StepView(_steps[i].State, _steps[i].Outputs));

    private void StartIfPending(List<RunEvent> events, DateTimeOffset now)
    {
        if (State == RunState.Pending) events.Add(new RunEvent { Type = RunEventType.RunStarted, Actor = "system", Time = now });
    }

    private RunEvent UserFailure(StepRuntime step, AttemptOutcome outcome, int exitCode, string? message, string actor, DateTimeOffset now)
    {
        var why = outcome == AttemptOutcome.TimedOut
            ? $"timed out after {Durations.Format(step.Plan.Definition.Timeout ?? TimeSpan.Zero)}"
            : message ?? $"exited with code {exitCode}";
        var policy = step.Plan.Definition.Retry;
        if (!CancelRequested && step.UserFailures < policy.Limit)
        {
            return new RunEvent
            {
                Type = RunEventType.StepAttemptFailed, StepKey = step.Key, Attempt = step.Attempt, ExitCode = exitCode, Message = why,
                RetryAt = now + policy.DelayBefore(step.UserFailures + 1), Actor = actor, Time = now,
            };
        }

        var final = policy.Limit > 0 ? $"{why} (attempt {step.Attempt}; {policy.Limit} retries used)" : why;
        return new RunEvent { Type = RunEventType.StepFailed, StepKey = step.Key, Attempt = step.Attempt, ExitCode = exitCode, Message = final, Actor = actor, Time = now };
    }

    private RunEvent InfrastructureFailure(StepRuntime step, string reason, string actor, DateTimeOffset now, int? exitCode)
    {
        if (CancelRequested)
            return new RunEvent { Type = RunEventType.StepCancelled, StepKey = step.Key, Attempt = step.Attempt, Message = $"cancelled ({reason})", Actor = actor, Time = now };
        if (step.InfraFailures < MaxInfrastructureRetries)
        {
            return new RunEvent
            {
                Type = RunEventType.StepAttemptFailed, StepKey = step.Key, Attempt = step.Attempt, ExitCode = exitCode, Message = reason,
                Infrastructure = true, RetryAt = now, Actor = actor, Time = now,
            };
        }

        return new RunEvent
        {
            Type = RunEventType.StepFailed, StepKey = step.Key, Attempt = step.Attempt, Infrastructure = true, Actor = actor, Time = now,
            Message = $"{reason} (lost to infrastructure {MaxInfrastructureRetries + 1} times)",
        };
    }
}
