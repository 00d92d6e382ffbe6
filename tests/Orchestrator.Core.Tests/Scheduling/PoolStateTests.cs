using Orchestrator.Core.Scheduling;

using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>The pool's own state: releases, restores after a restart, node removal, usage and duration history.</summary>
public sealed class PoolStateTests
{
    [Fact]
    public void Release_FreesTheGpus_ForTheNextJob()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 2));
        scheduler.EnqueueAll(Job("a", gpus: 2), Job("b", gpus: 2, submittedSecond: 1));
        Assert.Equal(["a"], scheduler.Schedule().PlacedIds());

        Assert.True(scheduler.Release("a", completed: true));
        Assert.False(scheduler.Release("a", completed: true));

        Assert.Equal([0, 1], scheduler.Schedule().PlacementOf("b").Replicas.Single().GpuIndices);
    }

    [Fact]
    public void Restore_RecordsARunningJob_AndRefusesAGpuAlreadyHeldOrUnknown()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 2));

        Assert.True(scheduler.Restore(Job("a"), [new ReplicaPlacement("n1", [1])], Start));
        Assert.False(scheduler.Restore(Job("b"), [new ReplicaPlacement("n1", [1])], Start));
        Assert.False(scheduler.Restore(Job("c"), [new ReplicaPlacement("n1", [7])], Start));
        Assert.False(scheduler.Restore(Job("d"), [new ReplicaPlacement("nowhere", [0])], Start));

        scheduler.EnqueueAll(Job("next"));
        Assert.Equal([0], scheduler.Schedule().PlacementOf("next").Replicas.Single().GpuIndices);
    }

    [Fact]
    public void Restore_OfAQueuedJob_TakesItOutOfTheQueue()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 2));
        scheduler.EnqueueAll(Job("a"));

        Assert.True(scheduler.Restore(Job("a"), [new ReplicaPlacement("n1", [0])], Start));

        var usage = scheduler.Usage();
        Assert.Equal((0, 1, 1), (usage.Queued, usage.Running, usage.FreeGpus));
    }

    [Fact]
    public void RemoveNode_ReturnsItsJobs_AndFreesTheirOtherReplicas()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 8, rack: "a"), Node("n2", gpus: 8, rack: "a"));
        scheduler.EnqueueAll(Job("gang", gpus: 8, replicas: 2));
        scheduler.Schedule();

        Assert.Equal(["gang"], scheduler.RemoveNode("n1"));

        var usage = scheduler.Usage();
        Assert.Equal((1, 8, 0), (usage.Nodes, usage.FreeGpus, usage.Running));
    }

    [Fact]
    public void Usage_ReportsQueueRunningAndTenantShares()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 2)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("a", gpus: 4), Job("b", gpus: 8, submittedSecond: 1));
        scheduler.Schedule();

        var usage = scheduler.Usage();

        Assert.Equal((1, 1, 8, 4, 1, 1), (usage.Nodes, usage.SchedulableNodes, usage.TotalGpus, usage.FreeGpus, usage.Queued, usage.Running));
        var tenant = usage.Tenants.Single();
        Assert.Equal(("ml-team", 4, 2, 2, 1, 0.5), (tenant.Tenant, tenant.Gpus, tenant.QuotaGpus, tenant.BorrowedGpus, tenant.Queued, tenant.DominantShare));
    }

    [Fact]
    public void CompletedRuns_FeedTheDurationHistory_OfTheirKey()
    {
        var (scheduler, clock) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 8));
        foreach (var (id, minutes) in new[] { ("r1", 10), ("r2", 30), ("r3", 20) })
        {
            scheduler.EnqueueAll(Job(id, historyKey: "train"));
            scheduler.Schedule();
            clock.Advance(TimeSpan.FromMinutes(minutes));
            scheduler.Release(id, completed: true);
        }

        scheduler.EnqueueAll(Job("failed", historyKey: "train"));
        scheduler.Schedule();
        clock.Advance(TimeSpan.FromMinutes(1));
        scheduler.Release("failed", completed: false);

        Assert.Equal(3, scheduler.Durations.Count("train"));
        Assert.Equal(TimeSpan.FromMinutes(20), scheduler.Durations.Estimate("train"));
        Assert.Null(scheduler.Durations.Estimate("other"));
    }

    [Fact]
    public void CompletedRun_AfterAPreemption_RecordsTheWholeRunTime_NotOnlyTheLastRun()
    {
        var (scheduler, clock) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 8));
        var job = Job("train-1", gpus: 4, historyKey: "train");
        scheduler.EnqueueAll(job);
        scheduler.Schedule();
        clock.Advance(TimeSpan.FromMinutes(30));
        scheduler.Release(job.Id, completed: false);

        // Queued again after the preemption with what it had: 30 minutes on 4 GPUs.
        scheduler.EnqueueAll(job with { AttainedGpuSeconds = 4 * 30 * 60 });
        scheduler.Schedule();
        clock.Advance(TimeSpan.FromMinutes(10));
        scheduler.Release(job.Id, completed: true);

        Assert.Equal(1, scheduler.Durations.Count("train"));
        Assert.Equal(TimeSpan.FromMinutes(40), scheduler.Durations.Estimate("train"));
    }

    [Fact]
    public void CompletedRun_OfAJobWithoutGpus_RecordsItsRun()
    {
        var (scheduler, clock) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("etl", gpus: 0, historyKey: "etl"));
        scheduler.Schedule();
        clock.Advance(TimeSpan.FromMinutes(7));
        scheduler.Release("etl", completed: true);

        Assert.Equal(TimeSpan.FromMinutes(7), scheduler.Durations.Estimate("etl"));
    }

    [Fact]
    public void DurationHistory_KeepsOnlyTheLastRuns()
    {
        var history = new DurationHistory(runsPerKey: 3);
        foreach (var minutes in new[] { 100, 100, 100, 1, 2, 3 }) history.Record("k", TimeSpan.FromMinutes(minutes));

        Assert.Equal(3, history.Count("k"));
        Assert.Equal(TimeSpan.FromMinutes(2), history.Estimate("k"));
    }
}
