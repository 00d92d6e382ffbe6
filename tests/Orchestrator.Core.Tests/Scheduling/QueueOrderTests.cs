using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Policies;

using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>The order waiting jobs are considered in: effective priority, fair share across tenants, rank, submission, arrival.</summary>
public sealed class QueueOrderTests
{
    [Fact]
    public void Order_HigherPriorityFirst_ThenEarlierSubmission_ThenArrival()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 3));
        scheduler.EnqueueAll(Job("late", submittedSecond: 5), Job("b-early", submittedSecond: 1), Job("a-early", submittedSecond: 1),
            Job("urgent", priority: 5, submittedSecond: 9));

        var result = scheduler.Schedule();

        // b-early and a-early were submitted at the same second: the one queued first goes first.
        Assert.Equal(["urgent", "b-early", "a-early"], result.PlacedIds());
        Assert.Equal(1, scheduler.Usage().Queued);
    }

    [Fact]
    public void FairShare_PicksTheTenantWithTheLowestWeightedDominantShare_AsThePassPlaces()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("a", 0), Tenant("b", 0, weight: 2)]));
        scheduler.AddNodes(Node("n1", gpus: 6));
        // a submitted everything first; b (weight 2) still gets two of every three GPUs.
        scheduler.EnqueueAll(
            Job("a1", tenant: "a", submittedSecond: 1), Job("a2", tenant: "a", submittedSecond: 2), Job("a3", tenant: "a", submittedSecond: 3),
            Job("a4", tenant: "a", submittedSecond: 4),
            Job("b1", tenant: "b", submittedSecond: 10), Job("b2", tenant: "b", submittedSecond: 11), Job("b3", tenant: "b", submittedSecond: 12),
            Job("b4", tenant: "b", submittedSecond: 13), Job("b5", tenant: "b", submittedSecond: 14));

        var placed = scheduler.Schedule().PlacedIds();

        Assert.Equal(6, placed.Count);
        Assert.Equal(2, placed.Count(id => id.StartsWith('a')));
        Assert.Equal(4, placed.Count(id => id.StartsWith('b')));
        Assert.Equal("a1", placed[0]);
    }

    [Fact]
    public void FairShareOff_FollowsSubmissionAcrossTenants()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("a", 0), Tenant("b", 0)], fairShare: false));
        scheduler.AddNodes(Node("n1", gpus: 3));
        scheduler.EnqueueAll(Job("a1", tenant: "a", submittedSecond: 1), Job("a2", tenant: "a", submittedSecond: 2),
            Job("a3", tenant: "a", submittedSecond: 3), Job("b1", tenant: "b", submittedSecond: 4));

        Assert.Equal(["a1", "a2", "a3"], scheduler.Schedule().PlacedIds());
    }

    [Fact]
    public void Aging_RaisesALongWaitingJobAboveNewerHigherPriorityOnes_UpToTheCap()
    {
        var (scheduler, clock) = Scheduler(Config(aging: TimeSpan.FromMinutes(10), maxBoost: 3));
        scheduler.AddNodes(Node("n1", gpus: 1));
        scheduler.EnqueueAll(Job("old", priority: 0, submittedSecond: 0));
        clock.Advance(TimeSpan.FromMinutes(30));
        scheduler.EnqueueAll(Job("new-2", priority: 2, submittedSecond: 1800), Job("new-4", priority: 4, submittedSecond: 1800));

        Assert.Equal(["new-4"], scheduler.Schedule().PlacedIds());
        scheduler.Release("new-4", completed: true);
        Assert.Equal(["old"], scheduler.Schedule().PlacedIds());
    }

    [Fact]
    public void NextWakeUp_IsTheNextAgingStepOfAWaitingJob()
    {
        var (scheduler, clock) = Scheduler(Config(aging: TimeSpan.FromMinutes(10)));
        scheduler.AddNodes(Node("n1", gpus: 1));
        scheduler.EnqueueAll(Job("runs"), Job("waits", submittedSecond: 60));
        clock.Advance(TimeSpan.FromMinutes(1));

        var result = scheduler.Schedule();

        Assert.Equal(Start.AddSeconds(60).AddMinutes(10), result.NextWakeUp);
    }

    [Fact]
    public void FifoPolicy_RanksBySubmission_AndNeverPreemptsByRank()
    {
        var early = new JobView(Job("e", submittedSecond: 1), false, 0, TimeSpan.Zero, null);
        var late = new JobView(Job("l", submittedSecond: 2), false, 0, TimeSpan.Zero, null);

        Assert.True(FifoPolicy.Instance.Rank(early, Start) < FifoPolicy.Instance.Rank(late, Start));
        Assert.False(FifoPolicy.Instance.PreemptsByRank);
        Assert.Null(FifoPolicy.Instance.RerankInterval);
    }

    [Fact]
    public void Enqueue_TheSameIdTwice_IsRefused_AndDequeueTakesItOut()
    {
        var (scheduler, _) = Scheduler();
        Assert.True(scheduler.Enqueue(Job("j")));
        Assert.False(scheduler.Enqueue(Job("j")));
        Assert.True(scheduler.Dequeue("j"));
        Assert.False(scheduler.Dequeue("j"));
        Assert.Equal(0, scheduler.Usage().Queued);
    }

    [Fact]
    public void Enqueue_WithZeroReplicas_IsRejectedNamingTheField()
    {
        var (scheduler, _) = Scheduler();
        var error = Assert.Throws<ArgumentException>(() => scheduler.Enqueue(Job("bad", replicas: 0)));
        Assert.Contains("Shape.Replicas", error.Message, StringComparison.Ordinal);
    }
}
