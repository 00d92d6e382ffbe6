using Orchestrator.Core.Scheduling;

namespace Orchestrator.Grains.Hosting;

/// <summary>The scheduling configuration as the server's configuration gives it (section <c>Orchestrator:Scheduling</c>).
/// It seeds the runtime configuration the first time the cluster starts; after that the admin RPC changes it.</summary>
public sealed class SchedulingOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Orchestrator:Scheduling";

    /// <summary>Pools in match order: a node joins the first whose selector matches its labels, else <c>default</c>.</summary>
    public List<PoolOptions> Pools { get; set; } = [];

    /// <summary>Tenants; one not listed has weight 1 and no quota.</summary>
    public List<TenantOptions> Tenants { get; set; } = [];

    /// <summary>Named priorities a run may ask for with <c>priority_class</c>.</summary>
    public List<PriorityClassOptions> PriorityClasses { get; set; } = [];

    /// <summary>Knobs of the scheduling core.</summary>
    public TuningOptions Tuning { get; set; } = new();

    /// <summary>The core's configuration; invalid values pass through for the validator to name.</summary>
    public SchedulingConfig ToConfig() => new(
        [.. Pools.Select(p => new PoolSpec(p.Name, new Dictionary<string, string>(p.NodeSelector, StringComparer.Ordinal),
            ParsePacking(p.Packing) ?? (PackingMode)(-1), p.TopologyKey))],
        [.. Tenants.Select(t => new TenantSpec(t.Name, t.Weight,
            t.Quotas.ToDictionary(q => q.Key, q => new ResourceQuota(q.Value.Gpus, q.Value.CpuMillis, q.Value.MemoryBytes), StringComparer.Ordinal),
            t.MayBorrow))],
        [.. PriorityClasses.Select(c => new PriorityClassSpec(c.Name, c.Value, c.MayPreempt))],
        new SchedulingTuning(Tuning.AgingInterval, Tuning.MaxAgingBoost, Tuning.PreemptionGrace, Tuning.Backfill, Tuning.FairShare,
            ParseBackfillMode(Tuning.BackfillMode) ?? (BackfillMode)(-1), Tuning.Policy));

    /// <summary>"reserve" (or empty) or "greedy", any case; null for anything else.</summary>
    public static BackfillMode? ParseBackfillMode(string? text) => text?.ToLowerInvariant() switch
    {
        "reserve" or "" or null => BackfillMode.Reserve,
        "greedy" => BackfillMode.Greedy,
        _ => null,
    };

    /// <summary>"best-fit" / "BestFit" or "spread"; null for anything else.</summary>
    public static PackingMode? ParsePacking(string? text) => text?.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "bestfit" or "" or null => PackingMode.BestFit,
        "spread" => PackingMode.Spread,
        _ => null,
    };
}

/// <summary>A pool in the server configuration.</summary>
public sealed class PoolOptions
{
    /// <summary>Pool name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Labels a node must carry (all of them) to join the pool.</summary>
    public Dictionary<string, string> NodeSelector { get; set; } = [];

    /// <summary><c>best-fit</c> (default) or <c>spread</c>.</summary>
    public string Packing { get; set; } = "best-fit";

    /// <summary>Node label grouping nearby nodes for multi-node gangs. Default <c>rack</c>.</summary>
    public string TopologyKey { get; set; } = "rack";
}

/// <summary>A tenant in the server configuration.</summary>
public sealed class TenantOptions
{
    /// <summary>Tenant name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Fair-share weight. Default 1.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>Whether it may borrow idle capacity beyond its quota. Default true.</summary>
    public bool MayBorrow { get; set; } = true;

    /// <summary>Quota per pool name.</summary>
    public Dictionary<string, QuotaOptions> Quotas { get; set; } = [];
}

/// <summary>A tenant's quota in one pool.</summary>
public sealed class QuotaOptions
{
    /// <summary>Guaranteed GPUs.</summary>
    public int Gpus { get; set; }

    /// <summary>CPU in thousandths, or none.</summary>
    public long? CpuMillis { get; set; }

    /// <summary>Memory in bytes, or none.</summary>
    public long? MemoryBytes { get; set; }
}

/// <summary>A priority class in the server configuration.</summary>
public sealed class PriorityClassOptions
{
    /// <summary>Class name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Priority value, -1000..1000; higher first.</summary>
    public int Value { get; set; }

    /// <summary>Whether its steps may preempt lower classes. Default true.</summary>
    public bool MayPreempt { get; set; } = true;
}

/// <summary>Knobs of the scheduling core in the server configuration; defaults as <see cref="SchedulingTuning.Default"/>.</summary>
public sealed class TuningOptions
{
    /// <summary>Every interval waiting raises a step's priority by one. Default 10 minutes.</summary>
    public TimeSpan AgingInterval { get; set; } = SchedulingTuning.Default.AgingInterval;

    /// <summary>Most that aging adds. Default 10.</summary>
    public int MaxAgingBoost { get; set; } = SchedulingTuning.Default.MaxAgingBoost;

    /// <summary>SIGTERM to SIGKILL for a preempted step. Default 30 s.</summary>
    public TimeSpan PreemptionGrace { get; set; } = SchedulingTuning.Default.PreemptionGrace;

    /// <summary>Let smaller steps run ahead of a blocked gang when they do not delay it. Default true.</summary>
    public bool Backfill { get; set; } = true;

    /// <summary>Dominant-resource fair sharing across tenants. Default true.</summary>
    public bool FairShare { get; set; } = true;

    /// <summary>With backfill on: <c>reserve</c> (EASY: the first blocked job gets a reservation; the default) or
    /// <c>greedy</c> (start whatever fits, in order).</summary>
    public string BackfillMode { get; set; } = "reserve";

    /// <summary>The queue policy within a priority and tenant: <c>default</c> (least attained service, then longest
    /// running; preempts by rank) or <c>fifo</c>. Default <c>default</c>.</summary>
    public string Policy { get; set; } = SchedulingTuning.Default.Policy;
}
