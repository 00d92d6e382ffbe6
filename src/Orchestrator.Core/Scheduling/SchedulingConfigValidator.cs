using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Scheduling;

/// <summary>Checks a <see cref="SchedulingConfig"/> and reports every problem with its field path and the fix.</summary>
public static class SchedulingConfigValidator
{
    /// <summary>The largest priority a class may have (the bare run priority has the same range).</summary>
    public const int MaxPriority = 1000;

    /// <summary>Every problem found; empty when the configuration is valid.</summary>
    public static IReadOnlyList<ValidationError> Validate(SchedulingConfig config, ConfigFieldStyle style, string configurationPrefix = "Orchestrator:Scheduling")
    {
        var root = new FieldPath(style, style == ConfigFieldStyle.Configuration ? configurationPrefix : "");
        var errors = new List<ValidationError>();
        void Fail(FieldPath path, string message) => errors.Add(new ValidationError(path.ToString(), message));

        var pools = new HashSet<string>(StringComparer.Ordinal) { SchedulingConfig.DefaultPool };
        var seenPools = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (config.Pools?.Count ?? 0); i++)
        {
            var pool = config.Pools![i];
            var path = root.Field("pools").Index(i);
            if (pool is null) { Fail(path, "is empty; give the pool a name"); continue; }
            if (!SchedulingNames.IsName(pool.Name ?? "")) Fail(path.Field("name"), $"'{pool.Name}' is not a pool name; use {SchedulingNames.NameRule}");
            else if (!seenPools.Add(pool.Name!)) Fail(path.Field("name"), $"pool '{pool.Name}' is defined twice; give each pool one entry");
            else pools.Add(pool.Name!);
            foreach (var (key, value) in pool.NodeSelector ?? new Dictionary<string, string>())
            {
                if (string.IsNullOrWhiteSpace(key)) Fail(path.Field("node_selector"), "has an empty label key; name the node label to match");
                else if (value is null) Fail(path.Field("node_selector").Key(key), "has no value; give the label value nodes of this pool carry");
            }

            if (!Enum.IsDefined(pool.Packing)) Fail(path.Field("packing"), "is not a packing mode; use best-fit or spread");
            if (pool.TopologyKey is null) Fail(path.Field("topology_key"), "is missing; give a node label such as rack, or \"\" for none");
        }

        var seenTenants = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (config.Tenants?.Count ?? 0); i++)
        {
            var tenant = config.Tenants![i];
            var path = root.Field("tenants").Index(i);
            if (tenant is null) { Fail(path, "is empty; give the tenant a name"); continue; }
            if (!SchedulingNames.IsName(tenant.Name ?? "")) Fail(path.Field("name"), $"'{tenant.Name}' is not a tenant name; use {SchedulingNames.NameRule}");
            else if (!seenTenants.Add(tenant.Name!)) Fail(path.Field("name"), $"tenant '{tenant.Name}' is defined twice; give each tenant one entry");
            if (!(tenant.Weight > 0) || double.IsInfinity(tenant.Weight)) Fail(path.Field("weight"), $"{tenant.Weight} is not a positive weight; use e.g. 1 (2 for twice the share)");
            foreach (var (poolName, quota) in tenant.Quotas ?? new Dictionary<string, ResourceQuota>())
            {
                var quotaPath = path.Field("quotas").Key(poolName);
                if (!pools.Contains(poolName))
                    Fail(quotaPath, $"pool '{poolName}' is not defined; define it under pools (known: {string.Join(", ", pools.Order(StringComparer.Ordinal))}) or remove this quota");
                if (quota is null) { Fail(quotaPath, "is empty; give at least gpus"); continue; }
                if (quota.Gpus < 0) Fail(quotaPath.Field("gpus"), $"{quota.Gpus} is negative; use 0 or more");
                if (quota.CpuMillis < 0) Fail(quotaPath.Field("cpu_millis"), $"{quota.CpuMillis} is negative; use 0 or more, or leave it out for no CPU quota");
                if (quota.MemoryBytes < 0) Fail(quotaPath.Field("memory_bytes"), $"{quota.MemoryBytes} is negative; use 0 or more, or leave it out for no memory quota");
            }
        }

        var seenClasses = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (config.PriorityClasses?.Count ?? 0); i++)
        {
            var priorityClass = config.PriorityClasses![i];
            var path = root.Field("priority_classes").Index(i);
            if (priorityClass is null) { Fail(path, "is empty; give the class a name and a value"); continue; }
            if (!SchedulingNames.IsName(priorityClass.Name ?? ""))
                Fail(path.Field("name"), $"'{priorityClass.Name}' is not a priority class name; use {SchedulingNames.NameRule}");
            else if (!seenClasses.Add(priorityClass.Name!)) Fail(path.Field("name"), $"priority class '{priorityClass.Name}' is defined twice; give each class one entry");
            if (priorityClass.Value is < -MaxPriority or > MaxPriority) Fail(path.Field("value"), $"{priorityClass.Value} is out of range; use {-MaxPriority}..{MaxPriority}");
        }

        var tuning = config.Tuning;
        var tuningPath = root.Field("tuning");
        if (tuning is null) Fail(tuningPath, "is missing; leave it out of the configuration to use the defaults");
        else
        {
            if (tuning.AgingInterval <= TimeSpan.Zero) Fail(tuningPath.Field("aging_interval"), $"{tuning.AgingInterval} must be positive, e.g. 10 minutes");
            if (tuning.MaxAgingBoost is < 0 or > 2 * MaxPriority) Fail(tuningPath.Field("max_aging_boost"), $"{tuning.MaxAgingBoost} is out of range; use 0..{2 * MaxPriority} (0 turns aging off)");
            if (tuning.PreemptionGrace < TimeSpan.Zero || tuning.PreemptionGrace > TimeSpan.FromHours(1))
                Fail(tuningPath.Field("preemption_grace"), $"{tuning.PreemptionGrace} is out of range; use 0 to 1 hour, e.g. 30 seconds");
            if (!Enum.IsDefined(tuning.BackfillMode))
                Fail(tuningPath.Field("backfill_mode"), "is not a backfill mode; use reserve (the default) or greedy");
            if (!SchedulingTuning.PolicyNames.Contains(tuning.Policy ?? "", StringComparer.Ordinal))
                Fail(tuningPath.Field("policy"), $"'{tuning.Policy}' is not a queue policy; use {string.Join(" or ", SchedulingTuning.PolicyNames)}");
        }

        return errors;
    }

    /// <summary>A field path that renders in one <see cref="ConfigFieldStyle"/>; field names are given in snake_case.</summary>
    private readonly record struct FieldPath(ConfigFieldStyle Style, string Text)
    {
        public FieldPath Field(string snake) => Style == ConfigFieldStyle.Proto
            ? new(Style, Text.Length == 0 ? snake : $"{Text}.{snake}")
            : new(Style, Join(string.Concat(snake.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]))));

        public FieldPath Index(int index) => Style == ConfigFieldStyle.Proto ? new(Style, $"{Text}[{index}]") : new(Style, Join(index.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        public FieldPath Key(string key) => Style == ConfigFieldStyle.Proto ? new(Style, $"{Text}.{key}") : new(Style, Join(key));

        private string Join(string segment) => Text.Length == 0 ? segment : $"{Text}:{segment}";

        public override string ToString() => Text;
    }
}
