using Orchestrator.Core.Scheduling;

using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Verifies the backfill modes: greedy starts whatever fits in order with no reservation, reserve (the
/// default) keeps jobs off a blocked gang's GPUs, and with backfill off a pass stops at the first blocked job in
/// either mode.</summary>
public sealed class BackfillModeTests
{
    [Fact]
    public void Greedy_StartsWhateverFits_InOrder_WithNoReservation()
    {
        var (scheduler, _) = Scheduler(Config(backfillMode: BackfillMode.Greedy));
        scheduler.AddNodes(Node("a", gpus: 8));
        scheduler.EnqueueAll(Job("ends-in-1h", gpus: 4, expected: TimeSpan.FromHours(1)));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("head", gpus: 8, submittedSecond: 10), Job("long", gpus: 3, expected: TimeSpan.FromHours(5), submittedSecond: 11),
            Job("small", gpus: 1, submittedSecond: 12), Job("too-big", gpus: 2, submittedSecond: 13));

        var result = scheduler.Schedule();

        Assert.Equal(["long", "small"], result.PlacedIds());
        Assert.DoesNotContain(scheduler.Explain("head").Reasons, r => r.Kind == PendingReasonKind.Reservation);
    }

    [Fact]
    public void Reserve_TheSameQueue_KeepsTheLongJobOffTheReservedGpus()
    {
        var (scheduler, _) = Scheduler(Config(backfillMode: BackfillMode.Reserve));
        scheduler.AddNodes(Node("a", gpus: 8));
        scheduler.EnqueueAll(Job("ends-in-1h", gpus: 4, expected: TimeSpan.FromHours(1)));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("head", gpus: 8, submittedSecond: 10), Job("long", gpus: 3, expected: TimeSpan.FromHours(5), submittedSecond: 11),
            Job("short", gpus: 1, expected: TimeSpan.FromMinutes(30), submittedSecond: 12));

        var result = scheduler.Schedule();

        Assert.Equal(["short"], result.PlacedIds());
        Assert.Contains(scheduler.Explain("long").Reasons, r => r.Kind == PendingReasonKind.Reservation);
    }

    [Theory]
    [InlineData(BackfillMode.Reserve)]
    [InlineData(BackfillMode.Greedy)]
    public void BackfillOff_StopsAtTheFirstBlockedJob_InEitherMode(BackfillMode mode)
    {
        var (scheduler, _) = Scheduler(Config(backfill: false, backfillMode: mode));
        scheduler.AddNodes(Node("a", gpus: 8));
        scheduler.EnqueueAll(Job("running", gpus: 4));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("head", gpus: 8, submittedSecond: 10), Job("small", gpus: 1, submittedSecond: 11));

        Assert.Empty(scheduler.Schedule().Placements);
    }

    [Fact]
    public void Default_IsReserve()
    {
        Assert.Equal(BackfillMode.Reserve, SchedulingTuning.Default.BackfillMode);
        Assert.True(SchedulingTuning.Default.Backfill);
    }

    [Fact]
    public void Validate_AnUndefinedMode_NamesTheField()
    {
        var config = SchedulingConfig.Default with { Tuning = SchedulingTuning.Default with { BackfillMode = (BackfillMode)7 } };

        var error = Assert.Single(SchedulingConfigValidator.Validate(config, ConfigFieldStyle.Proto));

        Assert.Equal("tuning.backfill_mode", error.Field);
        Assert.Contains("use reserve (the default) or greedy", error.Message);
    }
}
