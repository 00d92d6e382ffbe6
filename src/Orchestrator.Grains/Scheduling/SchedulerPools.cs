using Orchestrator.Core.Scheduling;

namespace Orchestrator.Grains.Scheduling;

/// <summary>Which pools have a scheduler worth asking about.</summary>
public static class SchedulerPools
{
    /// <summary>The pools of the configuration in force, the default pool included.</summary>
    public static async Task<IReadOnlyList<string>> KnownAsync(IGrainFactory grains) =>
        (await grains.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).GetAsync()).Config.PoolNames();
}
