using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Quotas per tenant and pool: placements within quota, borrowing of idle capacity, and tenants that may not borrow.</summary>
public sealed class QuotaTests
{
    [Fact]
    public void Placement_WithinQuota_IsNotBorrowed_BeyondQuota_IsFlaggedBorrowed()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 2)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("first", gpus: 2, submittedSecond: 1), Job("second", gpus: 2, submittedSecond: 2));

        var result = scheduler.Schedule();

        Assert.False(result.PlacementOf("first").Borrowed);
        Assert.True(result.PlacementOf("second").Borrowed);
        var usage = scheduler.Usage().Tenants.Single(t => t.Tenant == "ml-team");
        Assert.Equal((4, 2, 2), (usage.Gpus, usage.QuotaGpus, usage.BorrowedGpus));
    }

    [Fact]
    public void Tenant_ThatMayNotBorrow_WaitsAtItsQuota_WhileOthersUseTheIdleGpus()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 2, mayBorrow: false), Tenant("other", 0)]));
        scheduler.AddNodes(Node("n1", gpus: 8));
        scheduler.EnqueueAll(Job("a", gpus: 2, submittedSecond: 1), Job("b", gpus: 1, submittedSecond: 2), Job("c", gpus: 4, tenant: "other", submittedSecond: 3));

        var result = scheduler.Schedule();

        Assert.Equal(["a", "c"], result.PlacedIds().Order(StringComparer.Ordinal));
        Assert.True(result.PlacementOf("c").Borrowed);
    }

    [Fact]
    public void UnlistedTenant_HasNoQuota_SoEverythingItRunsIsBorrowed()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("n1"));
        scheduler.EnqueueAll(Job("j", tenant: "stranger"));

        Assert.True(scheduler.Schedule().PlacementOf("j").Borrowed);
    }

    [Fact]
    public void CpuQuota_CountsWhenTheQuotaSetsIt()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 8, quotaCpu: 1500)]));
        scheduler.AddNodes(Node("n1"));
        scheduler.EnqueueAll(Job("a", cpu: 1000, submittedSecond: 1), Job("b", cpu: 1000, submittedSecond: 2));

        var result = scheduler.Schedule();

        Assert.False(result.PlacementOf("a").Borrowed);
        Assert.True(result.PlacementOf("b").Borrowed);
    }

    [Fact]
    public void Release_OfAJobWithinQuota_TurnsTheOldestBorrowingJobWithinQuota()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 2)]));
        scheduler.AddNodes(Node("n1"));
        scheduler.EnqueueAll(Job("in", gpus: 2, submittedSecond: 1), Job("over", gpus: 2, submittedSecond: 2));
        scheduler.Schedule();

        scheduler.Release("in", completed: true);

        var usage = scheduler.Usage().Tenants.Single(t => t.Tenant == "ml-team");
        Assert.Equal((2, 0), (usage.Gpus, usage.BorrowedGpus));
        scheduler.EnqueueAll(Job("next", gpus: 1, submittedSecond: 3));
        Assert.True(scheduler.Schedule().PlacementOf("next").Borrowed);
    }
}
