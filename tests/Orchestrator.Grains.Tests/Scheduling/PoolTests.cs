using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies pools in the live system: nodes join the first pool whose selector their labels match (else
/// default), a configuration update moves them without a restart, and a tenant's use beyond its quota shows as
/// borrowed. Each test has its own cluster, since the scheduling configuration is cluster-wide.</summary>
public sealed class PoolTests
{
    private static SchedulingConfig H200Pool(string selectorValue) => new(
        [new PoolSpec("h200", new Dictionary<string, string> { ["gpu"] = selectorValue })], [], [], SchedulingTuning.Default);

    [Fact]
    public async Task Nodes_JoinThePoolTheirLabelsMatch_AndMoveWhenTheConfigChanges()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        var config = cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key);
        await config.UpdateAsync(H200Pool("h200"));
        await using var s = new Scenario(cluster);
        var labelled = await SimulatedAgent.ConnectAsync(cluster.Client, s.NodeName("a"), 8, s.GpuModel, labels: new Dictionary<string, string> { ["gpu"] = "h200" });
        var plain = await SimulatedAgent.ConnectAsync(cluster.Client, s.NodeName("b"), 4, s.GpuModel);
        var h200 = cluster.Client.GetGrain<ISchedulerGrain>("h200");
        var fallback = cluster.Client.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool);

        var inH200 = await Eventually.MatchAsync(h200.GetUsageAsync, u => u.Nodes == 1 && u.TotalGpus == 8, "node a in pool h200");
        await Eventually.MatchAsync(fallback.GetUsageAsync, u => u.Nodes == 1 && u.TotalGpus == 4, "node b in the default pool");
        Assert.Equal([labelled.Node], await h200.ListNodesAsync());
        Assert.Equal(8, inH200.FreeGpus);

        await config.UpdateAsync(H200Pool("none"));

        await Eventually.MatchAsync(h200.GetUsageAsync, u => u.Nodes == 0, "pool h200 empty after the update");
        await Eventually.MatchAsync(fallback.GetUsageAsync, u => u.Nodes == 2 && u.TotalGpus == 12, "both nodes in the default pool");
        Assert.Equal(new[] { labelled.Node, plain.Node }.Order(StringComparer.Ordinal), await fallback.ListNodesAsync());
    }

    [Fact]
    public async Task TenantBeyondItsQuota_IsPlacedOnIdleCapacity_AsBorrowed()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        await using var s = new Scenario(cluster);
        await cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).UpdateAsync(new SchedulingConfig(
            [], [new TenantSpec(s.Tenant, 1, new Dictionary<string, ResourceQuota> { [SchedulingConfig.DefaultPool] = new(1) })], [], SchedulingTuning.Default));
        var agent = await s.ConnectAsync("a", gpus: 4);
        await s.CreatePipelineAsync(Specs.Pipeline("three", Specs.Step("one", s.Id).WithGpus(1, s.GpuModel), Specs.Step("two", s.Id).WithGpus(1, s.GpuModel),
            Specs.Step("three", s.Id).WithGpus(1, s.GpuModel)));

        await s.SubmitAsync("three");

        await Eventually.MatchAsync(() => Task.FromResult(agent.Assignments.Count), n => n == 3, "three steps assigned");
        var usage = await cluster.Client.GetGrain<ISchedulerGrain>(SchedulingConfig.DefaultPool).GetUsageAsync();
        var tenant = Assert.Single(usage.Tenants, t => t.Tenant == s.Tenant);
        Assert.Equal(3, tenant.Gpus);
        Assert.Equal(1, tenant.QuotaGpus);
        Assert.Equal(2, tenant.BorrowedGpus);
        Assert.Equal(1, usage.FreeGpus);
    }
}
