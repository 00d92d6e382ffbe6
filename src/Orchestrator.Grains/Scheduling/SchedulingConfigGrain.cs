using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Hosting;

namespace Orchestrator.Grains.Scheduling;

/// <summary>Stored runtime configuration: absent until the first update.</summary>
[GenerateSerializer]
[Alias("orch.scheduling-config-state")]
public sealed class SchedulingConfigState
{
    /// <summary>The configuration set through the admin RPC.</summary>
    [Id(0)] public SchedulingConfig? Config { get; set; }
    /// <summary>Update count.</summary>
    [Id(1)] public long Version { get; set; }
    /// <summary>When it was last updated.</summary>
    [Id(2)] public DateTimeOffset? UpdatedAt { get; set; }
}

/// <summary>Holds the scheduling configuration durably and pushes updates to the pools' schedulers.</summary>
/// <remarks>Until the first update the server configuration is in force (so editing it and restarting works as
/// expected); after an update the stored one wins, and a restart keeps it.</remarks>
public sealed class SchedulingConfigGrain(
    [PersistentState("scheduling-config")] IPersistentState<SchedulingConfigState> state,
    IOptions<SchedulingOptions> options,
    TimeProvider time,
    ILogger<SchedulingConfigGrain> logger) : Grain, ISchedulingConfigGrain
{
    /// <summary>The one key of this grain.</summary>
    public const string Key = "cluster";

    private SchedulingConfig Current => state.State.Config ?? options.Value.ToConfig();

    /// <inheritdoc />
    public Task<SchedulingConfigVersion> GetAsync() => Task.FromResult(Versioned());

    /// <inheritdoc />
    public async Task<SchedulingConfigVersion> UpdateAsync(SchedulingConfig config)
    {
        var errors = SchedulingConfigValidator.Validate(config, ConfigFieldStyle.Proto);
        if (errors.Count > 0) throw OrchestratorException.From(new ValidationException(errors));

        var previous = Current;
        state.State.Config = config;
        state.State.Version++;
        state.State.UpdatedAt = time.GetUtcNow();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await state.ReadStateAsync();
            throw;
        }

        logger.LogInformation("Scheduling configuration {Version}: {Pools} pool(s), {Tenants} tenant(s), {Classes} priority class(es)",
            state.State.Version, config.Pools.Count, config.Tenants.Count, config.PriorityClasses.Count);

        // Pools that left the configuration hear of it too: their schedulers hand their nodes to the pools they now match.
        var pools = previous.PoolNames().Union(config.PoolNames(), StringComparer.Ordinal);
        await Task.WhenAll(pools.Select(p => GrainFactory.GetGrain<ISchedulerGrain>(p).ConfigureAsync(config)));
        return Versioned();
    }

    private SchedulingConfigVersion Versioned() => new(Current, state.State.Version, state.State.UpdatedAt);
}
