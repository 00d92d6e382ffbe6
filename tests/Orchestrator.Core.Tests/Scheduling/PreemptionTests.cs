using Orchestrator.Core.Scheduling;

using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Preemption by priority, by reclaim of borrowed quota and by rank; minimal victims; nominations holding the freed GPUs.</summary>
public sealed class PreemptionTests
{
    /// <summary>Shortest remaining estimated time first, preempting by rank (as the simulator's SRTF does).</summary>
    private sealed class ShortestRemaining : IQueuePolicy
    {
        public string Name => "srtf";
        public bool PreemptsByRank => true;
        public TimeSpan? RerankInterval => TimeSpan.FromMinutes(1);

        public double Rank(in JobView job, DateTimeOffset now) => ((job.EstimatedDuration ?? TimeSpan.MaxValue) - job.RanFor).TotalSeconds;
    }

    private static (PoolScheduler Scheduler, Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock) FullNodeOfLowPriorityPairs()
    {
        var (scheduler, clock) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 8));
        for (var i = 0; i < 4; i++)
        {
            scheduler.EnqueueAll(Job($"low{i}", gpus: 2, submittedSecond: i));
            scheduler.Schedule();
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        return (scheduler, clock);
    }

    [Fact]
    public void Priority_AHigherPriorityJob_PreemptsOnlyAsManyLowerJobsAsItNeeds_LatestStartedFirst()
    {
        var (scheduler, _) = FullNodeOfLowPriorityPairs();
        scheduler.EnqueueAll(Job("high", gpus: 4, priority: 10, submittedSecond: 100));

        var result = scheduler.Schedule();

        Assert.Empty(result.Placements);
        Assert.Equal(["low3", "low2"], result.Preemptions.Select(p => p.JobId));
        Assert.All(result.Preemptions, p => Assert.Equal((PreemptionCause.Priority, "high"), (p.Cause, p.ForJobId)));
    }

    [Fact]
    public void Nomination_HoldsTheFreedGpusForTheBeneficiary_UntilItIsPlaced()
    {
        var (scheduler, _) = FullNodeOfLowPriorityPairs();
        scheduler.EnqueueAll(Job("high", gpus: 4, priority: 10, submittedSecond: 100));
        scheduler.Schedule();

        scheduler.Release("low3", completed: false);
        scheduler.EnqueueAll(Job("sneaky", gpus: 2, submittedSecond: 101));
        var meanwhile = scheduler.Schedule();
        Assert.Empty(meanwhile.Placements);
        Assert.Empty(meanwhile.Preemptions);

        scheduler.Release("low2", completed: false);
        var result = scheduler.Schedule();

        Assert.Equal(["high"], result.PlacedIds());
        Assert.Equal([4, 5, 6, 7], result.PlacementOf("high").Replicas.Single().GpuIndices);
    }

    [Fact]
    public void Preemption_OrdersAreIssuedOnce_WhileVictimsStop()
    {
        var (scheduler, _) = FullNodeOfLowPriorityPairs();
        scheduler.EnqueueAll(Job("high", gpus: 4, priority: 10, submittedSecond: 100));
        Assert.Equal(2, scheduler.Schedule().Preemptions.Count);

        Assert.Empty(scheduler.Schedule().Preemptions);
    }

    [Fact]
    public void Priority_NeverPreemptsNonPreemptibleJobs_NorJobsOfTheSamePriority()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 2));
        scheduler.EnqueueAll(Job("pinned", priority: 0, preemptible: false), Job("peer", priority: 10, submittedSecond: 1));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("high", gpus: 2, priority: 10, submittedSecond: 2));

        var result = scheduler.Schedule();

        Assert.Empty(result.Preemptions);
    }

    [Fact]
    public void Priority_AgingNeverCausesPreemption()
    {
        var (scheduler, clock) = Scheduler(Config(aging: TimeSpan.FromMinutes(1)));
        scheduler.AddNodes(Node("n1", gpus: 1));
        scheduler.EnqueueAll(Job("running", priority: 3));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("aged", priority: 0, submittedSecond: 1));
        clock.Advance(TimeSpan.FromMinutes(9));

        Assert.Empty(scheduler.Schedule().Preemptions);
    }

    [Fact]
    public void Priority_AClassThatMayNotPreempt_Waits()
    {
        var classes = new[] { new PriorityClassSpec("batch-high", 10, MayPreempt: false) };
        var (scheduler, _) = Scheduler(Config(classes: classes));
        scheduler.AddNodes(Node("n1", gpus: 1));
        scheduler.EnqueueAll(Job("low"));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("high", priority: 10, submittedSecond: 1));

        Assert.Empty(scheduler.Schedule().Preemptions);
    }

    [Fact]
    public void Priority_VictimsAreNotOrdered_WhenTheJobWouldStillNotFit()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("low", gpus: 2), Job("pinned", gpus: 6, priority: 20, submittedSecond: 1));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("high", gpus: 4, priority: 10, submittedSecond: 2));

        Assert.Empty(scheduler.Schedule().Preemptions);
    }

    [Fact]
    public void Reclaim_AJobWithinQuota_PreemptsBorrowedJobsOfOtherTenants_NeverBelowTheirQuota()
    {
        var (scheduler, clock) = Scheduler(Config([Tenant("owner", 4), Tenant("borrower", 2)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        for (var i = 0; i < 4; i++)
        {
            scheduler.EnqueueAll(Job($"b{i}", gpus: 2, tenant: "borrower", submittedSecond: i));
            scheduler.Schedule();
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        scheduler.EnqueueAll(Job("o1", gpus: 4, tenant: "owner", submittedSecond: 100));
        var result = scheduler.Schedule();

        Assert.Equal(["b3", "b2"], result.Preemptions.Select(p => p.JobId));
        Assert.All(result.Preemptions, p => Assert.Equal(PreemptionCause.Reclaim, p.Cause));
        Assert.Contains("tenant borrower borrows 6 GPUs above its quota of 2 in pool h200", result.Preemptions[0].Reason, StringComparison.Ordinal);

        scheduler.EnqueueAll(Job("o2", gpus: 8, tenant: "owner", submittedSecond: 101));
        Assert.Empty(scheduler.Schedule().Preemptions);
    }

    [Fact]
    public void Reclaim_AJobThatWouldBorrow_DoesNotReclaim()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("owner", 1), Tenant("borrower", 0)]));
        scheduler.AddNodes(Node("n1", gpus: 2));
        scheduler.EnqueueAll(Job("b", gpus: 2, tenant: "borrower"));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("o", gpus: 2, tenant: "owner", submittedSecond: 1));

        Assert.Empty(scheduler.Schedule().Preemptions);
    }

    [Fact]
    public void Rank_AWaitingJobPreemptsARunningJobOfTheSamePriorityThatRanksWorse()
    {
        var (scheduler, clock) = Scheduler(policy: new ShortestRemaining());
        scheduler.AddNodes(Node("n1", gpus: 1));
        scheduler.EnqueueAll(Job("long", expected: TimeSpan.FromHours(10)));
        scheduler.Schedule();
        clock.Advance(TimeSpan.FromMinutes(5));
        scheduler.EnqueueAll(Job("short", expected: TimeSpan.FromMinutes(10), submittedSecond: 300));

        var result = scheduler.Schedule();

        var order = Assert.Single(result.Preemptions);
        Assert.Equal(("long", PreemptionCause.Rank, "short"), (order.JobId, order.Cause, order.ForJobId));
        Assert.Equal(clock.GetUtcNow().AddMinutes(1), result.NextWakeUp);
    }

    [Fact]
    public void Rank_NoPreemption_WhenTheRunningJobRanksBetter()
    {
        var (scheduler, clock) = Scheduler(policy: new ShortestRemaining());
        scheduler.AddNodes(Node("n1", gpus: 1));
        scheduler.EnqueueAll(Job("short", expected: TimeSpan.FromMinutes(10)));
        scheduler.Schedule();
        clock.Advance(TimeSpan.FromMinutes(1));
        scheduler.EnqueueAll(Job("long", expected: TimeSpan.FromHours(10), submittedSecond: 60));

        Assert.Empty(scheduler.Schedule().Preemptions);
    }
}
