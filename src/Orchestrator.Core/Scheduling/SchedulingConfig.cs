namespace Orchestrator.Core.Scheduling;

/// <summary>How a pool packs GPU steps onto nodes.</summary>
public enum PackingMode
{
    /// <summary>The node whose free GPUs fit the request most tightly, keeping whole nodes free for big gangs.</summary>
    BestFit,

    /// <summary>The node with the most free GPUs, spreading load.</summary>
    Spread,
}

/// <summary>A pool: the nodes whose labels match <paramref name="NodeSelector"/> (all pairs must match; an empty
/// selector matches every node). One scheduler owns each pool.</summary>
/// <param name="Name">Pool name (lowercase letters, digits and '-').</param>
/// <param name="NodeSelector">Labels a node must carry to belong to the pool.</param>
/// <param name="Packing">Best-fit (default) or spread.</param>
/// <param name="TopologyKey">The node label that groups nodes close to each other (rack, zone): a gang that needs
/// several nodes prefers nodes sharing its value.</param>
public sealed record PoolSpec(string Name, IReadOnlyDictionary<string, string> NodeSelector, PackingMode Packing = PackingMode.BestFit,
    string TopologyKey = "rack");

/// <summary>A tenant's nominal quota in one pool. Usage above it is borrowing.</summary>
/// <param name="Gpus">GPUs the tenant is guaranteed.</param>
/// <param name="CpuMillis">CPU in thousandths, or null for no CPU quota.</param>
/// <param name="MemoryBytes">Memory, or null for no memory quota.</param>
public sealed record ResourceQuota(int Gpus, long? CpuMillis = null, long? MemoryBytes = null);

/// <summary>A tenant: its fair-share weight and its quota per pool.</summary>
/// <param name="Name">Tenant name.</param>
/// <param name="Weight">Dominant-resource fair-share weight (a tenant of weight 2 gets twice the share of one of weight 1).</param>
/// <param name="Quotas">Nominal quota by pool name; a pool not listed gives the tenant no quota there (all its use borrows).</param>
/// <param name="MayBorrow">Whether the tenant may use idle capacity beyond its quota.</param>
public sealed record TenantSpec(string Name, double Weight, IReadOnlyDictionary<string, ResourceQuota> Quotas, bool MayBorrow = true);

/// <summary>A named priority level.</summary>
/// <param name="Name">Class name, as a run asks for it.</param>
/// <param name="Value">Higher goes first.</param>
/// <param name="MayPreempt">Whether steps of this class may preempt steps of lower classes.</param>
public sealed record PriorityClassSpec(string Name, int Value, bool MayPreempt = true);

/// <summary>How jobs behind a blocked job may start, when <see cref="SchedulingTuning.Backfill"/> is on.</summary>
public enum BackfillMode
{
    /// <summary>EASY backfill: the first blocked job gets a reservation from the expected ends of running jobs, and
    /// jobs behind it start only when they keep off its GPUs or end before its start.</summary>
    Reserve,

    /// <summary>No reservation: every job that fits starts, in order (what Tiresias' testbed and simulator do). A big
    /// gang may wait behind a stream of small jobs unless its rank lets it preempt them.</summary>
    Greedy,
}

/// <summary>Knobs of the scheduling core, each with a documented default.</summary>
/// <param name="AgingInterval">Every interval a step waits raises its effective priority by one, so nothing starves.</param>
/// <param name="MaxAgingBoost">The most aging can add to a step's priority.</param>
/// <param name="PreemptionGrace">Between SIGTERM and SIGKILL for a preempted step.</param>
/// <param name="Backfill">Whether steps behind a blocked job may start at all (false: a pass stops at the first
/// blocked job, whatever <paramref name="BackfillMode"/> says).</param>
/// <param name="FairShare">Dominant-resource fair sharing across tenants within a priority (else global order).</param>
/// <param name="BackfillMode">With <paramref name="Backfill"/>: reserve for the first blocked job (EASY, the default)
/// or start greedily whatever fits.</param>
/// <param name="Policy">The live system's queue policy by name, one of <see cref="PolicyNames"/>.</param>
public sealed record SchedulingTuning(TimeSpan AgingInterval, int MaxAgingBoost, TimeSpan PreemptionGrace, bool Backfill = true,
    bool FairShare = true, BackfillMode BackfillMode = BackfillMode.Reserve, string Policy = "default")
{
    /// <summary>The queue policies the live system can run: <c>default</c> (least attained service, then longest
    /// running) and <c>fifo</c>.</summary>
    public static IReadOnlyList<string> PolicyNames { get; } = ["default", "fifo"];

    /// <summary>Aging every 10 minutes up to +10, 30 s grace, backfill (with reservations) and fair share on.</summary>
    public static SchedulingTuning Default { get; } = new(TimeSpan.FromMinutes(10), 10, TimeSpan.FromSeconds(30));
}

/// <summary>The whole scheduling configuration: pools, tenants, priority classes and tuning. Changeable at runtime.</summary>
/// <param name="Pools">Pools; a node that matches no pool joins the pool named "default" (which always exists).</param>
/// <param name="Tenants">Tenants; a tenant not listed has weight 1 and no quota anywhere.</param>
/// <param name="PriorityClasses">Named priorities; a run may also give a bare number.</param>
/// <param name="Tuning">Knobs.</param>
public sealed record SchedulingConfig(
    IReadOnlyList<PoolSpec> Pools,
    IReadOnlyList<TenantSpec> Tenants,
    IReadOnlyList<PriorityClassSpec> PriorityClasses,
    SchedulingTuning Tuning)
{
    /// <summary>The pool every node without a matching pool belongs to.</summary>
    public const string DefaultPool = "default";

    /// <summary>One default pool, no tenants, no classes, default tuning: what a laptop gets.</summary>
    public static SchedulingConfig Default { get; } = new([new PoolSpec(DefaultPool, new Dictionary<string, string>())], [], [], SchedulingTuning.Default);
}
