using Orchestrator.Core.Scheduling;

namespace Orchestrator.Grains.Scheduling;

/// <summary>Turns a priority class name into its number, from the scheduling configuration.</summary>
public static class PriorityClasses
{
    /// <summary>The number of <paramref name="className"/>; an unknown name is refused naming <paramref name="field"/>
    /// and the known classes.</summary>
    public static async Task<int> ResolveAsync(IGrainFactory grains, string className, string field = "priority_class")
    {
        var config = (await grains.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).GetAsync()).Config;
        if (config.PriorityOf(className) is { } value) return value;
        var known = config.PriorityClasses.Count == 0 ? "none are configured" : "known: " + string.Join(", ", config.PriorityClasses.Select(c => c.Name));
        var shown = className.Length <= 80 ? className : className[..77] + "...";
        throw OrchestratorException.Invalid(field, $"'{shown}' is not a priority class ({known}); use one of them or a bare priority");
    }
}
