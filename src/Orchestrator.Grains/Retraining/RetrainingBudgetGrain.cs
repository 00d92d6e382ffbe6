using Microsoft.Extensions.Logging;

using Orchestrator.Core.Retraining;

namespace Orchestrator.Grains.Retraining;

/// <summary>The cluster-wide retraining budget. Grants and releases are stored before they are answered, so a restart
/// never lets more runs hold the budget than the limits allow; the waiting queue lives in memory and is rebuilt as
/// waiting models ask again.</summary>
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
        var wasGranted = _budget.Granted.ContainsKey(model);
        var answer = _budget.Request(model, tenant, now);
        // Request grants at most whom it can; others than the asker may have been granted by the same refill.
        var others = _budget.Granted.Keys.Where(m => m != model && !state.State.Granted.ContainsKey(m)).ToList();
        if (answer.Granted && !wasGranted || others.Count > 0)
        {
            await StoreGrantsAsync();
            await TellAsync(others);
        }

        return answer;
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(string model)
    {
        var granted = _budget.Release(model, time.GetUtcNow());
        if (!state.State.Granted.ContainsKey(model) && granted.Count == 0) return;
        await StoreGrantsAsync();
        await TellAsync(granted);
    }

    /// <inheritdoc />
    public Task<BudgetAnswer> AnswerAsync(string model) => Task.FromResult(_budget.Answer(model, time.GetUtcNow()));

    /// <inheritdoc />
    public async Task EnrollAsync(string model, bool enrolled)
    {
        var changed = enrolled ? state.State.Enrolled.Add(model) : state.State.Enrolled.Remove(model);
        if (changed) await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task<RetrainingBudgetView> ConfigureAsync(RetrainingBudgetSpec spec, string actor)
    {
        var errors = spec.Validate();
        if (errors.Count > 0) throw OrchestratorException.Invalid(errors[0].Field, errors[0].Message);
        var granted = _budget.Configure(spec, time.GetUtcNow());
        state.State.Spec = spec;
        await StoreGrantsAsync();
        LogConfigured(actor, spec.MaxConcurrent, spec.MaxConcurrentPerTenant, spec.PerMinute, spec.Burst);
        await TellAsync(granted);
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
        await StoreGrantsAsync();
        await TellAsync(granted);
    }

    private async Task StoreGrantsAsync()
    {
        var added = _budget.Granted.Keys.Count(m => !state.State.Granted.ContainsKey(m));
        state.State.Granted = new Dictionary<string, string>(_budget.Granted, StringComparer.Ordinal);
        state.State.GrantedTotal += added;
        await state.WriteStateAsync();
    }

    /// <summary>Tells models granted by someone else's release or by the clock. A lost message is recovered by the
    /// model's own timer, which asks again (and hears it holds the budget).</summary>
    private async Task TellAsync(IReadOnlyList<string> models)
    {
        foreach (var model in models)
        {
            try
            {
                await GrainFactory.GetGrain<IRetrainingGrain>(model).GrantedAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWakeFailed(e, model);
            }
        }
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
