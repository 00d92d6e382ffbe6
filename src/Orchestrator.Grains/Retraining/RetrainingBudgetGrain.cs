using Microsoft.Extensions.Logging;

using Orchestrator.Core.Retraining;

namespace Orchestrator.Grains.Retraining;

/// <summary>The cluster-wide retraining budget. Grants and releases are stored before they are answered, so a restart
/// never lets more runs hold the budget than the limits allow; the waiting queue lives in memory and is rebuilt as
/// waiting models ask again.</summary>
/// <remarks>Reentrant with group commit: in a storm a thousand models ask within seconds, and one durable write per
/// grant in sequence made the last of a burst wait for all the writes before it. Each call decides at once on the
/// in-memory budget (a turn has no await between deciding and staging) and waits for the next write, which stores every
/// change decided since the previous one; one writer runs at a time.</remarks>
[Reentrant]
public sealed partial class RetrainingBudgetGrain(
    [PersistentState("retraining-budget")] IPersistentState<RetrainingBudgetState> state,
    TimeProvider time,
    ILogger<RetrainingBudgetGrain> logger) : Grain, IRetrainingBudgetGrain
{
    /// <summary>The one budget's key.</summary>
    public const string Key = "cluster";

    /// <summary>How often the rate's refill is checked while models wait only for it.</summary>
    public static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(5);

    private RetrainingBudget _budget = null!;
    private TaskCompletionSource? _nextWrite;
    private bool _writing;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _budget = new RetrainingBudget(state.State.Spec ?? new RetrainingBudgetSpec(), time.GetUtcNow(), state.State.Granted);
        this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions { DueTime = TickPeriod, Period = TickPeriod, KeepAlive = true });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<BudgetAnswer> RequestAsync(string model, string tenant)
    {
        var now = time.GetUtcNow();
        var before = new HashSet<string>(_budget.Granted.Keys, StringComparer.Ordinal);
        var answer = _budget.Request(model, tenant, now);
        Publish();
        // Request grants whom it can; others than the asker may have been granted by the same refill.
        var granted = _budget.Granted.Keys.Where(m => !before.Contains(m)).ToList();
        if (granted.Count > 0)
        {
            await StoreGrantsAsync(granted.Count);
            Tell(granted.Where(m => m != model).ToList());
        }

        return answer;
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(string model)
    {
        var held = _budget.Granted.ContainsKey(model);
        var granted = _budget.Release(model, time.GetUtcNow());
        Publish();
        if (!held && granted.Count == 0) return;
        await StoreGrantsAsync(granted.Count);
        Tell(granted);
    }

    /// <inheritdoc />
    public Task<BudgetAnswer> AnswerAsync(string model) => Task.FromResult(_budget.Answer(model, time.GetUtcNow()));

    /// <inheritdoc />
    public async Task EnrollAsync(string model, bool enrolled)
    {
        var changed = enrolled ? state.State.Enrolled.Add(model) : state.State.Enrolled.Remove(model);
        if (changed) await StoreGrantsAsync(0);
    }

    /// <inheritdoc />
    public async Task<RetrainingBudgetView> ConfigureAsync(RetrainingBudgetSpec spec, string actor)
    {
        var errors = spec.Validate();
        if (errors.Count > 0) throw OrchestratorException.Invalid(errors[0].Field, errors[0].Message);
        var granted = _budget.Configure(spec, time.GetUtcNow());
        state.State.Spec = spec;
        await StoreGrantsAsync(granted.Count);
        LogConfigured(actor, spec.MaxConcurrent, spec.MaxConcurrentPerTenant, spec.PerMinute, spec.Burst);
        Tell(granted);
        return View();
    }

    /// <inheritdoc />
    public Task<RetrainingBudgetView> GetAsync() => Task.FromResult(View());

    /// <inheritdoc />
    public async Task SweepAsync()
    {
        foreach (var model in state.State.Enrolled.ToList())
        {
            try
            {
                await GrainFactory.GetGrain<IRetrainingGrain>(model).WakeAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWakeFailed(e, model);
            }
        }

        await TickAsync();
    }

    private async Task TickAsync()
    {
        var granted = _budget.Tick(time.GetUtcNow());
        if (granted.Count == 0) return;
        await StoreGrantsAsync(granted.Count);
        Tell(granted);
    }

    /// <summary>Counts <paramref name="newGrants"/> and waits until the next write has stored every change decided so far
    /// (this call's included): the write in flight, if any, may have read the state before it.</summary>
    private Task StoreGrantsAsync(int newGrants)
    {
        Publish();
        state.State.GrantedTotal += newGrants;
        _nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stored = _nextWrite.Task;
        if (!_writing) _ = WriteAsync();
        return stored;
    }

    /// <summary>The one writer: writes until no change waits, each write for every caller that staged before it began.</summary>
    private async Task WriteAsync()
    {
        _writing = true;
        try
        {
            while (_nextWrite is { } batch)
            {
                _nextWrite = null;
                try
                {
                    state.State.Granted = new Dictionary<string, string>(_budget.Granted, StringComparer.Ordinal);
                    await state.WriteStateAsync();
                    batch.SetResult();
                }
                catch (Exception e)
                {
                    batch.SetException(e);
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }

    /// <summary>Tells models granted by someone else's request or release, or by the clock (one-way: the budget does not
    /// wait for their submissions). A lost message is recovered by the model's own timer, which asks again (and hears it
    /// holds the budget).</summary>
    private void Tell(IReadOnlyList<string> models)
    {
        foreach (var model in models)
        {
            try
            {
                _ = GrainFactory.GetGrain<IRetrainingGrain>(model).GrantedAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWakeFailed(e, model);
            }
        }
    }

    private void Publish()
    {
        Metrics.OrchestratorMetrics.RetrainingBudget.WithLabels("running").Set(_budget.Granted.Count);
        Metrics.OrchestratorMetrics.RetrainingBudget.WithLabels("waiting").Set(_budget.Waiting);
    }

    private RetrainingBudgetView View() => new(
        _budget.Spec,
        new Dictionary<string, string>(_budget.Granted, StringComparer.Ordinal),
        [.. _budget.WaitingModels.Select(w => new BudgetWaiter(w.Model, w.Tenant, w.Since))],
        state.State.Enrolled.Count,
        state.State.GrantedTotal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining budget set by {Actor}: {MaxConcurrent} at once, {PerTenant} per tenant, {PerMinute}/min, burst {Burst}")]
    private partial void LogConfigured(string actor, int maxConcurrent, int perTenant, double perMinute, int burst);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reach the retraining of {Model}; its own timer will ask again")]
    private partial void LogWakeFailed(Exception e, string model);
}
