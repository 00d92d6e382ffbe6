using Microsoft.Extensions.Logging;

namespace Orchestrator.Grains.Rollouts;

/// <summary>The deployments whose rollout progresses (one grain, key <see cref="RolloutDirectoryGrain.Key"/>), so that
/// they wake after a restart: a rollout held by bake time alone must advance without traffic or callers.</summary>
public interface IRolloutDirectoryGrain : IGrainWithStringKey
{
    /// <summary>A rollout started (true) or ended (false) on the deployment <paramref name="key"/>.</summary>
    Task SetProgressingAsync(string key, bool progressing);

    /// <summary>Wakes every progressing rollout (one-way each).</summary>
    Task WakeAllAsync();
}

/// <summary>Stored state of the directory.</summary>
[GenerateSerializer]
[Alias("orch.rollout-directory")]
public sealed class RolloutDirectoryState
{
    /// <summary>Deployment keys with a progressing rollout.</summary>
    [Id(0)] public HashSet<string> Progressing { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Keeps the set of progressing rollouts.</summary>
public sealed partial class RolloutDirectoryGrain(
    [PersistentState("rollout-directory")] IPersistentState<RolloutDirectoryState> state,
    ILogger<RolloutDirectoryGrain> logger) : Grain, IRolloutDirectoryGrain
{
    /// <summary>The one directory's key.</summary>
    public const string Key = "cluster";

    /// <inheritdoc />
    public async Task SetProgressingAsync(string key, bool progressing)
    {
        var changed = progressing ? state.State.Progressing.Add(key) : state.State.Progressing.Remove(key);
        if (changed) await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task WakeAllAsync()
    {
        foreach (var key in state.State.Progressing.ToList())
        {
            try
            {
                await GrainFactory.GetGrain<IRolloutGrain>(key).WakeAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWakeFailed(e, key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not wake the rollout of {Deployment}; it wakes at its next observation or call")]
    private partial void LogWakeFailed(Exception e, string deployment);
}
