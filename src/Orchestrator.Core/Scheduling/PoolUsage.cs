namespace Orchestrator.Core.Scheduling;

/// <summary>One tenant's use of a pool.</summary>
/// <param name="Tenant">Tenant.</param>
/// <param name="Gpus">GPUs held by its running jobs.</param>
/// <param name="QuotaGpus">Its nominal quota in the pool.</param>
/// <param name="BorrowedGpus">GPUs held beyond its quota.</param>
/// <param name="Queued">Its waiting jobs.</param>
/// <param name="DominantShare">Its weighted dominant share.</param>
/// <param name="ReservedGpus">GPUs of its quota reserved by admitted whole-run admissions.</param>
/// <param name="WaitingAdmissions">Its runs waiting for whole-run admission.</param>
public sealed record TenantUsage(string Tenant, int Gpus, int QuotaGpus, int BorrowedGpus, int Queued, double DominantShare,
    int ReservedGpus = 0, int WaitingAdmissions = 0);

/// <summary>A pool's state at a glance.</summary>
/// <param name="Pool">Pool.</param>
/// <param name="Nodes">Nodes known.</param>
/// <param name="SchedulableNodes">Nodes taking new work.</param>
/// <param name="TotalGpus">GPUs on schedulable nodes.</param>
/// <param name="FreeGpus">Free GPUs on schedulable nodes.</param>
/// <param name="Queued">Waiting jobs.</param>
/// <param name="Running">Running jobs.</param>
/// <param name="Tenants">Per-tenant use, by name.</param>
public sealed record PoolUsage(string Pool, int Nodes, int SchedulableNodes, int TotalGpus, int FreeGpus, int Queued, int Running,
    IReadOnlyList<TenantUsage> Tenants);
