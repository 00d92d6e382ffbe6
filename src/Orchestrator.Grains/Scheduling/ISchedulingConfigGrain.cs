using Orchestrator.Core.Scheduling;

namespace Orchestrator.Grains.Scheduling;

/// <summary>The cluster's scheduling configuration (single key <see cref="SchedulingConfigGrain.Key"/>): starts from the
/// server configuration, and once updated through the admin RPC keeps the update durably.</summary>
public interface ISchedulingConfigGrain : IGrainWithStringKey
{
    /// <summary>The configuration in force. Interleaves: a scheduler activated by an update's push asks for it.</summary>
    [AlwaysInterleave]
    Task<SchedulingConfigVersion> GetAsync();

    /// <summary>Validates and replaces the configuration, then pushes it to every pool's scheduler. Throws
    /// INVALID_ARGUMENT naming every bad field, leaving the configuration unchanged.</summary>
    Task<SchedulingConfigVersion> UpdateAsync(SchedulingConfig config);
}

/// <summary>A configuration with its version.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Version">0 while the server configuration is in force; increases with every update.</param>
/// <param name="UpdatedAt">When it was last updated, or null.</param>
[GenerateSerializer]
[Alias("orch.scheduling-config-version")]
public sealed record SchedulingConfigVersion(
    [property: Id(0)] SchedulingConfig Config,
    [property: Id(1)] long Version,
    [property: Id(2)] DateTimeOffset? UpdatedAt);
