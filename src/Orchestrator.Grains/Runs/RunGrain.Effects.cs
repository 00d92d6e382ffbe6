using Microsoft.Extensions.Logging;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Storage;
using Orchestrator.Grains.Metrics;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Scheduling;

namespace Orchestrator.Grains.Runs;

/// <summary>Persisting events and acting on them.</summary>
public sealed partial class RunGrain
{
    /// <summary>Numbers and applies events in memory, and collects what to do about them once they are durable.
    /// Nothing outside this activation sees a staged event before <see cref="FlushAsync"/> has persisted it.</summary>
    private void Stage(IEnumerable<RunEvent> events)
    {
        var machine = Machine;
        foreach (var e in events)
        {
            // Several cache hits decided in one batch each ask to start the run; only the first start is real.
            if (e.Type == RunEventType.RunStarted && machine.State != RunState.Pending) continue;
            var numbered = e with { Revision = machine.Revision + 1 };
            var step = numbered.StepKey is null ? null : machine.Find(numbered.StepKey);
            var prior = step?.State;
            var priorRef = step is null ? default : new StepRef(RunId, step.Key, step.Attempt);
            var priorReplicas = step?.Replicas ?? [];
            machine.Apply(numbered);
            _staged.Add(numbered);
            RunMetrics.Transition(prior, step, numbered);
            if (numbered.Type == RunEventType.RunRetried) RunMetrics.Loaded(machine);
            if (numbered.Type == RunEventType.RunFinished)
            {
                RunMetrics.Finished(machine.State);
                logger.LogInformation("Run {RunId} {State}", RunId, machine.State);
            }

            CollectEffects(numbered, step, prior, priorRef, priorReplicas);
        }
    }

    /// <summary>Persists every staged event in one journal append, then acts on them: queue, dispatch, release,
    /// index, timers. If the append fails, this activation is given up (its memory is ahead of the journal) and the
    /// next one replays what is durable.</summary>
    private async Task FlushAsync()
    {
        if (_staged.Count == 0 && _effects.Count == 0 && _releases.Count == 0 && _dispatch.Count == 0) return;
        var batch = _staged.ToList();
        var effects = _effects.ToList();
        var ready = _ready.ToList();
        _staged.Clear();
        _effects.Clear();
        _ready.Clear();
        if (batch.Count > 0)
        {
            try
            {
                await _journal.AppendAsync(batch);
            }
            catch
            {
                _broken = true;
                DeactivateOnIdle();
                throw;
            }

            _durableRevision = batch[^1].Revision;
            SignalWatchers();
        }

        if (ready.Count > 0) effects.Insert(0, () => EnqueueAsync(ready));
        effects.AddRange(TakeNodeEffects());
        foreach (var effect in effects)
        {
            try
            {
                await effect();
            }
            catch (Exception ex) when (ex is not OrchestratorException)
            {
                // Effects are re-issued by reconciliation (on activation and by the periodic sweep).
                logger.LogWarning(ex, "Run {RunId}: an action after revision {Revision} failed; it will be retried", RunId, _durableRevision);
            }
        }

        await UpsertIndexAsync(force: false);
        ScheduleRetryTimer();
    }

    /// <summary>Runs a handler that stages events, and always persists what it staged, even when it fails half-way.</summary>
    private async Task Transact(Func<Task> handler)
    {
        try
        {
            await handler();
        }
        finally
        {
            await FlushAsync();
        }
    }

    private void CollectEffects(RunEvent e, StepRuntime? step, StepState? prior, StepRef priorRef, IReadOnlyList<ReplicaSlot> priorReplicas)
    {
        var effects = _effects;
        if (step is not null)
        {
            var current = new StepRef(RunId, step.Key, step.Attempt);
            switch (e.Type)
            {
                case RunEventType.StepReady when step.Plan.Definition.IsRegister:
                    var attempt = step.Attempt;
                    effects.Add(() => ExecuteRegistrationAsync(step.Key, attempt));
                    break;
                case RunEventType.StepReady:
                    _ready.Add(Pending(step));
                    break;
                case RunEventType.StepPlaced:
                    _dispatch.Add(step);
                    // Queued in several pools: the first placement wins, the other queues let go of it.
                    var pools = PoolsOf(step);
                    if (pools.Count > 1) effects.Add(() => Task.WhenAll(pools.Select(p => Scheduler(p).RemoveAsync(current))));
                    break;
                case RunEventType.StepSucceeded when step.CacheKey is not null:
                    var outputs = step.Outputs ?? [];
                    effects.Add(() => Cache(step.CacheKey).PutAsync(outputs, RunId, step.Key));
                    break;
            }

            var wasHeld = prior is StepState.Placed or StepState.Running;
            var isHeld = step.State is StepState.Placed or StepState.Running;
            if (wasHeld && !isHeld && priorReplicas.Count > 0)
            {
                // The attempt ended: free its GPUs; stop the process too unless the agent itself reported the end. A
                // gang that did not succeed stops every process: one replica's end ends them all.
                var byAgent = e.Actor.StartsWith("agent:", StringComparison.Ordinal);
                var gang = priorReplicas.Count > 1;
                var stop = gang ? e.Type != RunEventType.StepSucceeded : (e.Type == RunEventType.StepCancelled || e.Preempted) && !byAgent;
                foreach (var slot in priorReplicas)
                {
                    var process = priorRef with { Replica = slot.Replica };
                    Release(slot.Node, process, stop, succeeded: e.Type == RunEventType.StepSucceeded);
                    // The gateway completes a log when the agent reports its process's end; otherwise (lost, cancelled
                    // here) we do. A gang's stopped processes still report, so their last words are kept.
                    if (!byAgent) effects.Add(() => logs.CompleteAsync(StepLogKey.Of(process)).AsTask());
                }
            }

            if (prior == StepState.Ready && e.Type == RunEventType.StepCancelled)
                effects.Add(() => Task.WhenAll(PoolsOf(step).Select(p => Scheduler(p).RemoveAsync(current))));
        }

        CollectAdmissionEffects(e, effects);
        if (e.Type == RunEventType.RunFinished && _definition?.Labels.GetValueOrDefault(Retraining.RetrainingGrain.RunLabel) is { Length: > 0 } model)
        {
            // A retraining run tells its model when it ends (one-way; the model also checks on its own).
            var succeeded = Machine.State == RunState.Succeeded;
            effects.Add(() => GrainFactory.GetGrain<Retraining.IRetrainingGrain>(model).RunFinishedAsync(RunId, succeeded));
        }

        if (e.Type == RunEventType.CancelRequested)
        {
            foreach (var running in Machine.Steps.Where(s => s.State == StepState.Running).ToList())
            {
                foreach (var (process, node) in Processes(running))
                    effects.Add(() => Node(node).CancelStepAsync(process, options.Value.CancelGrace, e.Message ?? "run cancelled"));
            }
        }
    }

    /// <summary>Activates every step whose upstream is done, runs due retries, and finishes the run when all is done
    /// (staged; the caller flushes).</summary>
    private async Task AdvanceAsync()
    {
        var machine = Machine;
        while (true)
        {
            var now = time.GetUtcNow();
            var activatable = machine.DrainActivatable();
            var due = machine.DueRetries(now);
            if (activatable.Count == 0 && due.Count == 0) break;

            var decisions = activatable.Select(i => (Index: i, Decision: machine.Decide(i))).ToList();
            var lookups = decisions
                .Where(d => d.Decision is { Kind: ActivationKind.Run, Step.CacheKey: not null })
                .ToDictionary(d => d.Index, d => Cache(d.Decision.Step!.CacheKey!).GetAsync());
            await Task.WhenAll(lookups.Values);

            var events = new List<RunEvent>();
            foreach (var (index, decision) in decisions)
            {
                if (lookups.TryGetValue(index, out var lookup) && lookup.Result is { } cached)
                    events.AddRange(machine.Cached(index, decision.Step!.CacheKey!, cached, "system", now));
                else
                    events.Add(machine.ActivationEvent(index, decision, "system", now));
            }

            events.AddRange(due.Select(i => machine.RetryNow(i, now)));
            Stage(events);
        }

        if (machine.TryFinish(time.GetUtcNow()) is { } finished) Stage([finished]);
    }

    /// <summary>Re-issues what the run waits for: queued steps to the scheduler, cancellations to agents, and on
    /// activation (<paramref name="activating"/>) placed steps to their node. The periodic sweep does not re-send
    /// placed steps: their reports may be on the way, and an agent that already finished one would run it again; a
    /// dispatch lost with its agent's stream is re-sent when the agent registers again (StepsNotRunningAsync).</summary>
    private async Task ReconcileAsync(bool activating)
    {
        var machine = Machine;
        var ready = new List<PendingStep>();
        var placed = new List<StepRuntime>();
        var registrations = new List<StepRuntime>();
        foreach (var step in machine.Steps)
        {
            try
            {
                switch (step.State)
                {
                    case StepState.Ready when step.Plan.Definition.IsRegister:
                        registrations.Add(step);
                        break;
                    case StepState.Ready:
                        ready.Add(Pending(step));
                        break;
                    case StepState.Placed when activating:
                        placed.Add(step);
                        break;
                    case StepState.Running when machine.CancelRequested:
                        await Task.WhenAll(Processes(step).Select(p => Node(p.Node).CancelStepAsync(p.Process, options.Value.CancelGrace, "run cancelled")));
                        break;
                    case StepState.Running when step.PreemptRequested:
                        // The order may have been lost with a restart; the agent ignores a repeat.
                        await Task.WhenAll(Processes(step).Select(p => Node(p.Node).CancelStepAsync(p.Process, step.PreemptGrace ?? options.Value.CancelGrace, step.Message ?? "preempted")));
                        break;
                }
            }
            catch (Exception ex) when (ex is not OrchestratorException)
            {
                logger.LogWarning(ex, "Run {RunId}: could not re-issue step {Step}", RunId, step.Key);
            }
        }

        try
        {
            if (ready.Count > 0) await EnqueueAsync(ready);
            if (placed.Count > 0) await DispatchAsync(placed);
        }
        catch (Exception ex) when (ex is not OrchestratorException)
        {
            logger.LogWarning(ex, "Run {RunId}: could not re-issue its queued and placed steps; the next sweep will", RunId);
        }

        // A registration whose result was not journaled (a restart, a registry that was unreachable) runs again: its
        // request id makes the registry answer with the version it already stored.
        foreach (var step in registrations)
        {
            try
            {
                await ExecuteRegistrationAsync(step.Key, step.Attempt);
            }
            catch (Exception ex) when (ex is not OrchestratorException)
            {
                logger.LogWarning(ex, "Run {RunId}: registration of step {Step} failed; the next sweep retries it", RunId, step.Key);
            }
        }

        await Transact(AdvanceAsync);
        if (activating) await UpsertIndexAsync(force: true);
        ScheduleRetryTimer();
    }

    private PendingStep Pending(StepRuntime step) =>
        new(new StepRef(RunId, step.Key, step.Attempt), step.Plan.Definition.Resources, _definition!.Priority, 0, _definition.Tenant,
            step.ReadySince ?? time.GetUtcNow(), step.Plan.Definition.ExpectedDuration, $"{_definition.Pipeline}/{step.Plan.Name}", PoolsOf(step),
            AttainedGpuSeconds(step), Machine.Admitted ? RunId : null, step.Plan.Definition.Replicas);

    /// <summary>GPU time the step's preempted attempts had: it keeps its standing under least-attained-service ranking.</summary>
    private static double AttainedGpuSeconds(StepRuntime step) => step.Attempts
        .Where(a => a.Preempted && a.StartedAt is not null && a.FinishedAt is not null)
        .Sum(a => Math.Max(0, (a.FinishedAt!.Value - a.StartedAt!.Value).TotalSeconds) * a.Gpus.Count * Math.Max(1, a.Replicas.Count));

    /// <summary>Queues ready steps in every pool each may use, one call per pool.</summary>
    private Task EnqueueAsync(List<PendingStep> ready) => Task.WhenAll(ready
        .SelectMany(p => p.PoolsOrDefault.Select(pool => (Pool: pool, Step: p)))
        .GroupBy(x => x.Pool, StringComparer.Ordinal)
        .Select(g => Scheduler(g.Key).EnqueueManyAsync([.. g.Select(x => x.Step)])));

    /// <summary>Writes the run's summary to the index: awaited when forced or when the run's state changed; otherwise
    /// (only step counts moved) at most once a second and without waiting, so a busy run does not double its writes.
    /// A lost count update is rewritten by the next one, or on activation.</summary>
    private async Task UpsertIndexAsync(bool force)
    {
        var machine = Machine;
        var now = time.GetUtcNow();
        if (force || _indexedState != machine.State)
        {
            await runIndex.UpsertAsync(Summary());
            (_indexedState, _indexedAt) = (machine.State, now);
        }
        else if (now - _indexedAt >= IndexCountsInterval)
        {
            _indexedAt = now;
            _ = runIndex.UpsertAsync(Summary()).AsTask().ContinueWith(
                t => logger.LogWarning(t.Exception, "Run {RunId}: index update failed", RunId),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private static readonly TimeSpan IndexCountsInterval = TimeSpan.FromSeconds(1);

    private RunSummary Summary()
    {
        var d = _definition!;
        var m = Machine;
        return new RunSummary
        {
            Id = RunId, Tenant = d.Tenant, Pipeline = d.Pipeline, PipelineVersion = d.PipelineVersion, PipelineDigest = d.PipelineDigest,
            State = m.State, CreatedAt = d.CreatedAt, StartedAt = m.StartedAt, FinishedAt = m.FinishedAt, Priority = d.Priority,
            Labels = d.Labels, RequestId = d.RequestId, SubmittedBy = d.SubmittedBy, Message = m.Message ?? "",
            StepCounts = Enum.GetValues<StepState>().Where(s => m.CountIn(s) > 0).ToDictionary(s => s.ToString(), m.CountIn),
            Revision = m.Revision,
        };
    }

    private void ScheduleRetryTimer()
    {
        var next = _machine?.NextRetryAt;
        if (next == _retryDue) return;
        _retryTimer?.Dispose();
        _retryTimer = null;
        _retryDue = next;
        if (next is null) return;
        var due = next.Value - time.GetUtcNow();
        _retryTimer = this.RegisterGrainTimer(
            async _ =>
            {
                _retryDue = null;
                await Transact(AdvanceAsync);
                ScheduleRetryTimer();
            },
            new GrainTimerCreationOptions { DueTime = due < TimeSpan.Zero ? TimeSpan.Zero : due, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
    }

    private ISchedulerGrain Scheduler(string pool) => GrainFactory.GetGrain<ISchedulerGrain>(pool);


    /// <summary>Cache entries are per tenant: one tenant's outputs are never another's cache hit.</summary>
    private IStepCacheGrain Cache(string cacheKey) => GrainFactory.GetGrain<IStepCacheGrain>($"{_definition!.Tenant}/{cacheKey}");
}
