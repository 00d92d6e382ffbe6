using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Grains.Metrics;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Storage;
using Orchestrator.Grains.Hosting;
using Orchestrator.Grains.Pipelines;
using Orleans.Storage;

namespace Orchestrator.Grains.Runs;

/// <summary>One run. Thin: it loads the journal, asks <see cref="RunMachine"/> what happens, persists the events,
/// applies them, and only then acts on them (queue, dispatch, release, index).</summary>
public sealed partial class RunGrain(
    IRunIndex runIndex,
    IStepLogStore logs,
    PipelineDefinitionCache definitions,
    IOptions<OrchestratorOptions> options,
    TimeProvider time,
    ILogger<RunGrain> logger) : Grain, IRunGrain
{
    private RunJournal _journal = null!;
    private RunDefinition? _definition;
    private RunMachine? _machine;
    private TaskCompletionSource _changed = NewSignal();
    private readonly List<RunEvent> _staged = [];
    private readonly List<Func<Task>> _effects = [];
    private readonly List<PendingStep> _ready = [];
    private readonly List<StepRuntime> _dispatch = [];
    private readonly Dictionary<(string Node, bool Stop, bool Succeeded), List<StepRef>> _releases = [];
    private IGrainTimer? _retryTimer;
    private DateTimeOffset? _retryDue;
    private RunState? _indexedState;
    private DateTimeOffset _indexedAt;
    private long _durableRevision;
    private bool _broken;

    private string RunId => this.GetPrimaryKeyString();

    private RunMachine Machine => _broken
        ? throw new InvalidOperationException($"run {RunId}: a journal write failed; this activation is being replaced")
        : _machine ?? throw OrchestratorException.NotFound($"run {RunId} does not exist");

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(OrchestratorSiloExtensions.StorageName);
        _journal = new RunJournal(storage, this.GetGrainId());
        var events = await _journal.LoadAsync();
        _definition = _journal.Definition;
        if (_definition is null) return;

        _machine = Rebuild(_definition);
        foreach (var e in events) _machine.Apply(e);
        _durableRevision = _machine.Revision;
        _indexedState = _machine.State;
        RunMetrics.Loaded(_machine);
        if (_machine.IsTerminal) return;
        await ReconcileAsync(activating: true);
        await RequestAdmissionAsync();
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_machine is not null) RunMetrics.Unloaded(_machine);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<RunSnapshot> SubmitAsync(SubmitRun request)
    {
        if (_machine is not null) return ExistingFor(request);

        var now = time.GetUtcNow();
        var version = await GrainFactory.GetGrain<IPipelineGrain>(PipelineGrain.KeyOf(request.Tenant, request.Pipeline))
            .GetVersionAsync(request.Version);
        var definition = new RunDefinition
        {
            Id = RunId, Tenant = request.Tenant, Pipeline = request.Pipeline, PipelineVersion = version.Version,
            PipelineDigest = version.Digest, Spec = version.Spec, Arguments = request.Arguments, Priority = request.Priority,
            Labels = request.Labels, RequestId = request.RequestId, SubmittedBy = request.SubmittedBy,
            CacheDisabled = request.CacheDisabled, CreatedAt = now, Admission = request.Admission,
        };

        // Validated and planned before anything is written: bad parameters (or a whole-run admission over several
        // pools) leave nothing behind.
        var machine = Rebuild(definition);
        var admission = request.Admission == AdmissionMode.WholeRun ? AdmissionOf(machine.Plan) : ((string Pool, long Peak)?)null;

        // Indexed before the definition is written: a crash in between leaves an index entry without a run, which the
        // resumption sweep removes (the submit was never acknowledged; the client retries with its request id).
        _definition = definition;
        _machine = machine;
        await UpsertIndexAsync(force: true);
        try
        {
            await _journal.CreateAsync(definition);
        }
        catch
        {
            _definition = null;
            _machine = null;
            await runIndex.RemoveAsync(RunId);
            throw;
        }

        RunMetrics.Loaded(machine);
        RunMetrics.Submitted();
        await Transact(() =>
        {
            Stage(machine.Submit($"user:{request.SubmittedBy}", now));
            if (admission is { } whole) Stage(machine.RequestAdmission(whole.Pool, whole.Peak, now));
            return AdvanceAsync();
        });
        await RequestAdmissionAsync();
        return Snapshot(includeEvents: false);
    }

    /// <inheritdoc />
    public Task<RunSnapshot> GetAsync(bool includeEvents) => Task.FromResult(Snapshot(includeEvents));

    /// <inheritdoc />
    public async Task<EventPage> WaitForEventsAsync(long afterRevision, int max, TimeSpan wait)
    {
        var machine = Machine;
        if (_durableRevision <= afterRevision && !DurablyTerminal && wait > TimeSpan.Zero)
        {
            using var cancel = new CancellationTokenSource();
            await Task.WhenAny(_changed.Task, Task.Delay(wait, time, cancel.Token));
            await cancel.CancelAsync();
        }

        // Only durable events: this call interleaves with a handler that may have staged events not yet persisted.
        var events = machine.Events;
        var durable = (int)_durableRevision;
        var start = (int)Math.Clamp(afterRevision, 0, durable);
        var count = Math.Min(Math.Max(max, 1), durable - start);
        var page = new List<RunEvent>(count);
        for (var i = start; i < start + count; i++) page.Add(events[i]);
        return new EventPage(page, _durableRevision, DurablyTerminal && start + count >= durable);
    }

    private bool DurablyTerminal => _machine is { IsTerminal: true } m && m.Revision == _durableRevision;

    /// <inheritdoc />
    public Task<RunSnapshot> CancelAsync(string actor, string reason) =>
        UserRequestAsync(() => Machine.RequestCancel(actor, reason, time.GetUtcNow()));

    /// <inheritdoc />
    public Task<RunSnapshot> RetryAsync(string actor) => UserRequestAsync(() => Machine.Retry(actor, time.GetUtcNow()));

    /// <summary>A user's request: the machine decides (or refuses: FAILED_PRECONDITION), then the run advances.</summary>
    private async Task<RunSnapshot> UserRequestAsync(Func<IReadOnlyList<RunEvent>> decide)
    {
        IReadOnlyList<RunEvent> events;
        try
        {
            events = decide();
        }
        catch (RunPreconditionException e)
        {
            throw OrchestratorException.Precondition(e.Message);
        }

        await Transact(() =>
        {
            Stage(events);
            return AdvanceAsync();
        });
        await RequestAdmissionAsync();
        return Snapshot(includeEvents: false);
    }

    /// <inheritdoc />
    public async Task ResumeAsync()
    {
        if (_machine is null)
        {
            // Indexed but never written: the submit crashed before it was acknowledged. The client retries with its
            // request id; nothing to resume.
            await runIndex.RemoveAsync(RunId);
            DeactivateOnIdle();
            return;
        }

        if (_machine.IsTerminal)
        {
            await UpsertIndexAsync(force: true);
            return;
        }

        // Already active (the periodic sweep): re-issue what it waits for; the index was rewritten on activation.
        await ReconcileAsync(activating: false);
        await RequestAdmissionAsync();
    }

    private RunMachine Rebuild(RunDefinition definition)
    {
        try
        {
            var pipeline = definitions.Get(definition.PipelineDigest, definition.Spec);
            var plan = RunPlanner.Plan(pipeline, definition.Arguments, options.Value.MaxStepsPerRun);
            return new RunMachine(definition.Id, plan, definition.CacheDisabled);
        }
        catch (ValidationException e)
        {
            throw OrchestratorException.From(e);
        }
        catch (Core.Pipelines.LimitExceededException e)
        {
            throw new OrchestratorException(ErrorKind.ResourceExhausted, $"{e.Field}: {e.Message}", e.Field);
        }
    }

    private RunSnapshot ExistingFor(SubmitRun request)
    {
        var d = _definition!;
        var same = request.RequestId.Length > 0 && d.RequestId == request.RequestId && d.Tenant == request.Tenant &&
            d.Pipeline == request.Pipeline && SameEntries(d.Arguments, request.Arguments) && d.Priority == request.Priority &&
            d.CacheDisabled == request.CacheDisabled && SameEntries(d.Labels, request.Labels) && d.Admission == request.Admission;
        if (!same)
        {
            throw new OrchestratorException(ErrorKind.AlreadyExists,
                $"request_id '{request.RequestId}' was already used for run {RunId} with a different pipeline, parameters, priority, labels, cache setting or admission; use a new request_id");
        }

        return Snapshot(includeEvents: false);
    }

    private static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private RunSnapshot Snapshot(bool includeEvents) => RunSnapshots.Capture(_definition!, Machine, includeEvents);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SignalWatchers()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }
}
