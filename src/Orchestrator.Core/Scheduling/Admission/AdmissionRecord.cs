namespace Orchestrator.Core.Scheduling.Admission;

/// <summary>A run's whole-run admission in one pool, as the scheduler keeps it (and stores it across restarts).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Tenant">Its tenant, whose GPU quota in the pool the reservation counts against.</param>
/// <param name="Priority">Its priority: waiting admissions of a tenant go highest priority first, then first come.</param>
/// <param name="Gpus">Its peak concurrent GPU demand (<see cref="PeakGpuDemand"/>), reserved once admitted.</param>
/// <param name="Admitted">True once reserved; false while it waits for quota.</param>
public sealed record AdmissionRecord(string RunId, string Tenant, int Priority, int Gpus, bool Admitted);
