namespace Orchestrator.Core.Scheduling;

/// <summary>Look-ups on a <see cref="SchedulingConfig"/>: the pool of a node, the value of a priority class.</summary>
public static class SchedulingConfigExtensions
{
    /// <summary>The first pool whose selector the labels satisfy, else <see cref="SchedulingConfig.DefaultPool"/>.</summary>
    public static string PoolFor(this SchedulingConfig config, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var pool in config.Pools)
        {
            if (pool.Name == SchedulingConfig.DefaultPool && pool.NodeSelector.Count == 0) continue;
            if (pool.NodeSelector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value)) return pool.Name;
        }

        return SchedulingConfig.DefaultPool;
    }

    /// <summary>Every pool name the configuration defines, the default pool included.</summary>
    public static IReadOnlyList<string> PoolNames(this SchedulingConfig config) =>
        [.. config.Pools.Select(p => p.Name).Append(SchedulingConfig.DefaultPool).Distinct(StringComparer.Ordinal)];

    /// <summary>The value of a named priority class, or null when the configuration has no such class.</summary>
    public static int? PriorityOf(this SchedulingConfig config, string priorityClass) =>
        config.PriorityClasses.FirstOrDefault(c => c.Name == priorityClass)?.Value;
}
