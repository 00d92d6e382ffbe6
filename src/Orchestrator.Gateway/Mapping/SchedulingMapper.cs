using Google.Protobuf.WellKnownTypes;
using Orchestrator.Core.Scheduling;
using Proto = Orchestrator.Contracts.V1;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Maps the scheduling configuration, pool usage and pending explanations between proto and Core.</summary>
public static class SchedulingMapper
{
    /// <summary>The core configuration of a request; absent tuning fields take their defaults.</summary>
    public static SchedulingConfig ToCore(Proto.SchedulingConfig config)
    {
        var tuning = config.Tuning ?? new Proto.SchedulingTuning();
        var defaults = SchedulingTuning.Default;
        return new SchedulingConfig(
            [.. config.Pools.Select(p => new PoolSpec(p.Name, new Dictionary<string, string>(p.NodeSelector, StringComparer.Ordinal), p.Packing switch
            {
                Proto.PackingMode.Unspecified or Proto.PackingMode.BestFit => PackingMode.BestFit,
                Proto.PackingMode.Spread => PackingMode.Spread,
                _ => (PackingMode)(-1),
            }, p.TopologyKey.Length == 0 ? "rack" : p.TopologyKey))],
            [.. config.Tenants.Select(t => new TenantSpec(t.Name, t.Weight == 0 ? 1 : t.Weight,
                t.Quotas.ToDictionary(q => q.Key, q => new ResourceQuota(q.Value.Gpus, q.Value.HasCpuMillis ? q.Value.CpuMillis : null,
                    q.Value.HasMemoryBytes ? q.Value.MemoryBytes : null), StringComparer.Ordinal), !t.NoBorrowing))],
            [.. config.PriorityClasses.Select(c => new PriorityClassSpec(c.Name, c.Value, !c.NoPreemption))],
            new SchedulingTuning(
                tuning.AgingInterval?.ToTimeSpan() ?? defaults.AgingInterval,
                tuning.HasMaxAgingBoost ? tuning.MaxAgingBoost : defaults.MaxAgingBoost,
                tuning.PreemptionGrace?.ToTimeSpan() ?? defaults.PreemptionGrace,
                !tuning.NoBackfill, !tuning.NoFairShare, tuning.BackfillMode switch
                {
                    Proto.BackfillMode.Unspecified or Proto.BackfillMode.Reserve => BackfillMode.Reserve,
                    Proto.BackfillMode.Greedy => BackfillMode.Greedy,
                    _ => (BackfillMode)(-1),
                }, tuning.Policy.Length == 0 ? defaults.Policy : tuning.Policy));
    }

    /// <summary>The proto form of a configuration.</summary>
    public static Proto.SchedulingConfig ToProto(SchedulingConfig config)
    {
        var proto = new Proto.SchedulingConfig
        {
            Tuning = new Proto.SchedulingTuning
            {
                AgingInterval = Duration.FromTimeSpan(config.Tuning.AgingInterval), MaxAgingBoost = config.Tuning.MaxAgingBoost,
                PreemptionGrace = Duration.FromTimeSpan(config.Tuning.PreemptionGrace), NoBackfill = !config.Tuning.Backfill,
                NoFairShare = !config.Tuning.FairShare, Policy = config.Tuning.Policy,
                BackfillMode = config.Tuning.BackfillMode == BackfillMode.Greedy ? Proto.BackfillMode.Greedy : Proto.BackfillMode.Reserve,
            },
        };
        foreach (var pool in config.Pools)
        {
            var p = new Proto.PoolConfig
            {
                Name = pool.Name, TopologyKey = pool.TopologyKey,
                Packing = pool.Packing == PackingMode.Spread ? Proto.PackingMode.Spread : Proto.PackingMode.BestFit,
            };
            foreach (var (key, value) in pool.NodeSelector) p.NodeSelector[key] = value;
            proto.Pools.Add(p);
        }

        foreach (var tenant in config.Tenants)
        {
            var t = new Proto.TenantConfig { Name = tenant.Name, Weight = tenant.Weight, NoBorrowing = !tenant.MayBorrow };
            foreach (var (pool, quota) in tenant.Quotas)
            {
                var q = new Proto.ResourceQuota { Gpus = quota.Gpus };
                if (quota.CpuMillis is { } cpu) q.CpuMillis = cpu;
                if (quota.MemoryBytes is { } memory) q.MemoryBytes = memory;
                t.Quotas[pool] = q;
            }

            proto.Tenants.Add(t);
        }

        proto.PriorityClasses.AddRange(config.PriorityClasses.Select(c => new Proto.PriorityClass { Name = c.Name, Value = c.Value, NoPreemption = !c.MayPreempt }));
        return proto;
    }

    /// <summary>The proto form of a pool's state.</summary>
    public static Proto.PoolStatus ToProto(PoolUsage usage, IEnumerable<string> nodes)
    {
        var status = new Proto.PoolStatus
        {
            Name = usage.Pool, SchedulableNodes = usage.SchedulableNodes, GpusTotal = usage.TotalGpus, GpusFree = usage.FreeGpus,
            Queued = usage.Queued, Running = usage.Running,
        };
        status.Nodes.AddRange(nodes);
        status.Tenants.AddRange(usage.Tenants.Select(t => new Proto.TenantUsage
        {
            Tenant = t.Tenant, Gpus = t.Gpus, QuotaGpus = t.QuotaGpus, BorrowedGpus = t.BorrowedGpus, Queued = t.Queued,
            ReservedGpus = t.ReservedGpus, WaitingAdmissions = t.WaitingAdmissions,
        }));
        return status;
    }

    /// <summary>The proto form of one pool's answer for a waiting step.</summary>
    public static Proto.PoolPosition ToProto(PendingExplanation explanation)
    {
        var position = new Proto.PoolPosition { Pool = explanation.Pool, Position = explanation.Position };
        position.Reasons.AddRange(explanation.Reasons.Select(r => new Proto.PendingReason { Kind = ToProto(r.Kind), Message = r.Message }));
        return position;
    }

    private static Proto.PendingReasonKind ToProto(PendingReasonKind kind) => kind switch
    {
        PendingReasonKind.Quota => Proto.PendingReasonKind.Quota,
        PendingReasonKind.QueuedBehind => Proto.PendingReasonKind.QueuedBehind,
        PendingReasonKind.Capacity => Proto.PendingReasonKind.Capacity,
        PendingReasonKind.NeverFits => Proto.PendingReasonKind.NeverFits,
        PendingReasonKind.Reservation => Proto.PendingReasonKind.Reservation,
        PendingReasonKind.AwaitingPreemption => Proto.PendingReasonKind.AwaitingPreemption,
        PendingReasonKind.NotQueued => Proto.PendingReasonKind.NotQueued,
        PendingReasonKind.Admission => Proto.PendingReasonKind.Admission,
        _ => Proto.PendingReasonKind.Unspecified,
    };
}
