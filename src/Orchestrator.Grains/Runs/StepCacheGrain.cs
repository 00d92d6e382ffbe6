using Orchestrator.Core.Runs;

namespace Orchestrator.Grains.Runs;

/// <summary>One entry of the step cache (key: the step's cache key): the outputs of the last step that ran with it.</summary>
public interface IStepCacheGrain : IGrainWithStringKey
{
    /// <summary>The cached outputs, or null.</summary>
    Task<IReadOnlyList<StepOutput>?> GetAsync();

    /// <summary>Records outputs for this key.</summary>
    Task PutAsync(IReadOnlyList<StepOutput> outputs, string runId, string stepKey);
}

/// <summary>Stored state of a cache entry.</summary>
[GenerateSerializer]
[Alias("orch.step-cache-state")]
public sealed class StepCacheState
{
    /// <summary>Outputs.</summary>
    [Id(0)] public List<StepOutput> Outputs { get; set; } = [];
    /// <summary>The run that produced them.</summary>
    [Id(1)] public string RunId { get; set; } = "";
    /// <summary>The step that produced them.</summary>
    [Id(2)] public string StepKey { get; set; } = "";
}

/// <summary>Keeps one cache entry.</summary>
public sealed class StepCacheGrain([PersistentState("cache")] IPersistentState<StepCacheState> state) : Grain, IStepCacheGrain
{
    /// <inheritdoc />
    public Task<IReadOnlyList<StepOutput>?> GetAsync() =>
        Task.FromResult<IReadOnlyList<StepOutput>?>(state.RecordExists ? state.State.Outputs : null);

    /// <inheritdoc />
    public async Task PutAsync(IReadOnlyList<StepOutput> outputs, string runId, string stepKey)
    {
        state.State = new StepCacheState { Outputs = [.. outputs], RunId = runId, StepKey = stepKey };
        await state.WriteStateAsync();
    }
}
