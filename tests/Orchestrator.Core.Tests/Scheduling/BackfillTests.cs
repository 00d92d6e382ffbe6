using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>EASY backfill: a blocked gang at the head gets a reservation; jobs behind run only where they do not delay it.</summary>
public sealed class BackfillTests
{
    /// <summary>Node a (8 GPUs) runs a 6-GPU job ending in 1 h; node b (8 GPUs) runs a 4-GPU job with no estimate.
    /// The head wants 8 GPUs: it is reserved on node a from 1 h on.</summary>
    private static (Orchestrator.Core.Scheduling.PoolScheduler Scheduler, Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock) BlockedHead()
    {
        var (scheduler, clock) = Scheduler();
        scheduler.AddNodes(Node("a", gpus: 8), Node("b", gpus: 8));
        scheduler.EnqueueAll(Job("ends-in-1h", gpus: 6, expected: TimeSpan.FromHours(1)), Job("no-estimate", gpus: 4, submittedSecond: 1));
        var placed = scheduler.Schedule();
        Assert.Equal(["a"], placed.PlacementOf("ends-in-1h").Nodes());
        Assert.Equal(["b"], placed.PlacementOf("no-estimate").Nodes());
        scheduler.EnqueueAll(Job("head", gpus: 8, submittedSecond: 10));
        return (scheduler, clock);
    }

    [Fact]
    public void Backfill_AJobThatEndsBeforeTheReservation_RunsOnTheReservedGpus()
    {
        var (scheduler, _) = BlockedHead();
        scheduler.EnqueueAll(Job("short", gpus: 2, expected: TimeSpan.FromMinutes(30), submittedSecond: 11));

        var result = scheduler.Schedule();

        Assert.Equal(["short"], result.PlacedIds());
    }

    [Fact]
    public void Backfill_ALongJob_AvoidsTheReservedNode()
    {
        var (scheduler, _) = BlockedHead();
        scheduler.EnqueueAll(Job("long", gpus: 2, expected: TimeSpan.FromHours(5), submittedSecond: 11));

        var result = scheduler.Schedule();

        Assert.Equal(["b"], result.PlacementOf("long").Nodes());
    }

    [Fact]
    public void Backfill_AJobThatWouldDelayTheReservation_Waits()
    {
        var (scheduler, _) = BlockedHead();
        scheduler.EnqueueAll(Job("wide", gpus: 5, expected: TimeSpan.FromHours(5), submittedSecond: 11));

        Assert.Empty(scheduler.Schedule().Placements);
    }

    [Fact]
    public void Backfill_UsesTheHistoryOfTheKey_WhenAJobGivesNoEstimate()
    {
        var (scheduler, clock) = BlockedHead();
        scheduler.UpsertNode(Node("c", gpus: 1));
        scheduler.EnqueueAll(Job("warmup", historyKey: "eval", submittedSecond: 5));
        scheduler.Schedule();
        clock.Advance(TimeSpan.FromMinutes(10));
        scheduler.Release("warmup", completed: true);
        scheduler.UpsertNode(Node("c", gpus: 1, schedulable: false));
        scheduler.EnqueueAll(Job("eval", gpus: 2, historyKey: "eval", submittedSecond: 11));

        Assert.Equal(["eval"], scheduler.Schedule().PlacedIds());
    }

    [Fact]
    public void Backfill_AJobOfUnknownLength_TakesOnlyGpusTheReservationLeavesSpare()
    {
        var (scheduler, _) = BlockedHead();
        scheduler.EnqueueAll(Job("unknown-a", gpus: 2, submittedSecond: 11), Job("unknown-b", gpus: 3, submittedSecond: 12));

        var result = scheduler.Schedule();

        Assert.Equal(["b"], result.PlacementOf("unknown-a").Nodes());
        Assert.DoesNotContain(result.Placements, p => p.Job.Id == "unknown-b");
    }
}
