namespace Orchestrator.Core.Scheduling;

/// <summary>EASY backfill: the reservation of the first blocked job.</summary>
public sealed partial class PoolScheduler
{
    private BackfillReservation? Reserve(WaitingJob job, DateTimeOffset now) => null;
}
