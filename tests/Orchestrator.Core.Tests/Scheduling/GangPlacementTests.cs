using Orchestrator.Core.Scheduling;

using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Gang placement and packing: all replicas or none, one node first, then the fewest nodes sharing a rack;
/// best-fit and spread; GPU model, CPU and memory constraints; unschedulable nodes.</summary>
public sealed class GangPlacementTests
{
    [Fact]
    public void Gang_ThatDoesNotFitWhole_PlacesNoReplica()
    {
        var (scheduler, _) = Scheduler(Config(backfill: true));
        scheduler.AddNodes(Node("n1", gpus: 4), Node("n2", gpus: 2));
        scheduler.EnqueueAll(Job("gang", gpus: 4, replicas: 2));

        var result = scheduler.Schedule();

        Assert.Empty(result.Placements);
        Assert.Equal(6, scheduler.Usage().FreeGpus);
    }

    [Fact]
    public void Gang_ThatFitsOnOneNode_GoesToOneNode()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 4), Node("n2", gpus: 8));
        scheduler.EnqueueAll(Job("gang", gpus: 2, replicas: 4));

        var placement = scheduler.Schedule().PlacementOf("gang");

        Assert.All(placement.Replicas, r => Assert.Equal("n2", r.Node));
        Assert.Equal(Enumerable.Range(0, 8), placement.Replicas.SelectMany(r => r.GpuIndices).Order());
    }

    [Fact]
    public void Gang_ThatFitsOnNoSingleNode_TakesTheFewestNodes_SharingARack()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(
            Node("a1", gpus: 8, rack: "a"), Node("b1", gpus: 8, rack: "b"), Node("b2", gpus: 8, rack: "b"),
            Node("c1", gpus: 4, rack: "c"), Node("c2", gpus: 4, rack: "c"), Node("c3", gpus: 4, rack: "c"), Node("c4", gpus: 4, rack: "c"));
        scheduler.EnqueueAll(Job("gang", gpus: 8, replicas: 2));

        var placement = scheduler.Schedule().PlacementOf("gang");

        Assert.Equal(["b1", "b2"], placement.Nodes().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Gang_OfSmallReplicas_UsesTheFewestNodesEvenAcrossRacks()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("a1", gpus: 8, rack: "a"), Node("b1", gpus: 8, rack: "b"),
            Node("c1", gpus: 2, rack: "c"), Node("c2", gpus: 2, rack: "c"), Node("c3", gpus: 2, rack: "c"));
        scheduler.EnqueueAll(Job("gang", gpus: 2, replicas: 6));

        var placement = scheduler.Schedule().PlacementOf("gang");

        Assert.Equal(["a1", "b1"], placement.Nodes().Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(6, placement.Replicas.Count);
    }

    [Fact]
    public void BestFit_TakesTheNodeWithTheFewestFreeGpusThatFit_KeepingWholeNodesFree()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("partial", gpus: 8), Node("whole", gpus: 8));
        scheduler.EnqueueAll(Job("filler", gpus: 5));
        Assert.Equal(["partial"], scheduler.Schedule().PlacementOf("filler").Nodes());

        scheduler.EnqueueAll(Job("small", gpus: 2, submittedSecond: 1));
        Assert.Equal(["partial"], scheduler.Schedule().PlacementOf("small").Nodes());
        scheduler.EnqueueAll(Job("big", gpus: 8, submittedSecond: 2));
        Assert.Equal(["whole"], scheduler.Schedule().PlacementOf("big").Nodes());
    }

    [Fact]
    public void Spread_TakesTheNodeWithTheMostFreeGpus()
    {
        var (scheduler, _) = Scheduler(Config(packing: PackingMode.Spread));
        scheduler.AddNodes(Node("n1", gpus: 8), Node("n2", gpus: 8));
        scheduler.EnqueueAll(Job("a", submittedSecond: 1), Job("b", submittedSecond: 2));

        var result = scheduler.Schedule();

        Assert.NotEqual(result.PlacementOf("a").Nodes().Single(), result.PlacementOf("b").Nodes().Single());
    }

    [Fact]
    public void BestFit_PutsSmallJobsTogether()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 8), Node("n2", gpus: 8));
        scheduler.EnqueueAll(Job("a", submittedSecond: 1), Job("b", submittedSecond: 2));

        var result = scheduler.Schedule();

        Assert.Equal(result.PlacementOf("a").Nodes().Single(), result.PlacementOf("b").Nodes().Single());
    }

    [Fact]
    public void GpuModel_OnlyMatchesNodesOfThatModel_IgnoringCase()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("h", gpus: 8, model: "H200"), Node("a", gpus: 1, model: "A100"));
        scheduler.EnqueueAll(Job("wants-a100", model: "a100", submittedSecond: 1), Job("wants-another-a100", model: "A100", submittedSecond: 2));

        var result = scheduler.Schedule();

        Assert.Equal(["a"], result.PlacementOf("wants-a100").Nodes());
        Assert.DoesNotContain(result.Placements, p => p.Job.Id == "wants-another-a100");
    }

    [Fact]
    public void CpuAndMemory_MustFitToo()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("small-cpu", gpus: 8, cpu: 2000), Node("big-cpu", gpus: 8, cpu: 64_000));
        scheduler.EnqueueAll(Job("cpu-hungry", gpus: 1, cpu: 8000), Job("memory-hungry", gpus: 1, memory: 600 * Gib, submittedSecond: 1));

        var result = scheduler.Schedule();

        Assert.Equal(["big-cpu"], result.PlacementOf("cpu-hungry").Nodes());
        Assert.DoesNotContain(result.Placements, p => p.Job.Id == "memory-hungry");
    }

    [Fact]
    public void UnschedulableNode_GetsNothingNew_ButItsJobsKeepTheirGpus()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1", gpus: 2));
        scheduler.EnqueueAll(Job("running"));
        scheduler.Schedule();

        scheduler.UpsertNode(Node("n1", gpus: 2, schedulable: false));
        scheduler.EnqueueAll(Job("new", submittedSecond: 1));

        Assert.Empty(scheduler.Schedule().Placements);
        var usage = scheduler.Usage();
        Assert.Equal((0, 1, 1), (usage.SchedulableNodes, usage.Running, usage.Queued));

        scheduler.UpsertNode(Node("n1", gpus: 2));
        var placed = scheduler.Schedule().PlacementOf("new");
        Assert.Equal([1], placed.Replicas.Single().GpuIndices);
    }

    [Fact]
    public void JobThatCanNeverFit_IsSkipped_AndDoesNotBlockOthers_EvenWithoutBackfill()
    {
        var (scheduler, _) = Scheduler(Config(backfill: false));
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("huge", gpus: 16, priority: 9), Job("fits"));

        Assert.Equal(["fits"], scheduler.Schedule().PlacedIds());
    }

    [Fact]
    public void WithoutBackfill_NothingBehindABlockedJobStarts()
    {
        var (scheduler, _) = Scheduler(Config(backfill: false));
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("holder", gpus: 4));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("blocked", gpus: 8, submittedSecond: 1), Job("small", gpus: 1, submittedSecond: 2));

        Assert.Empty(scheduler.Schedule().Placements);
    }
}
