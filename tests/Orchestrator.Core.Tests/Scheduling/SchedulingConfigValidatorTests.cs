using Orchestrator.Core.Scheduling;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Verifies that the scheduling configuration's rules report every bad field by its path, in the admin RPC's
/// and in the server configuration's spelling, and that node pools and priority classes resolve as documented.</summary>
public sealed class SchedulingConfigValidatorTests
{
    private static readonly Dictionary<string, string> NoLabels = [];

    private static SchedulingConfig Valid() => new(
        [new PoolSpec("h200", new Dictionary<string, string> { ["gpu"] = "h200" }), new PoolSpec("a100", new Dictionary<string, string> { ["gpu"] = "a100" })],
        [new TenantSpec("ml-team", 2, new Dictionary<string, ResourceQuota> { ["h200"] = new(16) })],
        [new PriorityClassSpec("high", 100), new PriorityClassSpec("low", -10)],
        SchedulingTuning.Default);

    [Fact]
    public void Validate_TheDefaultAndAFullConfiguration_FindNothing()
    {
        Assert.Empty(SchedulingConfigValidator.Validate(SchedulingConfig.Default, ConfigFieldStyle.Proto));
        Assert.Empty(SchedulingConfigValidator.Validate(Valid(), ConfigFieldStyle.Proto));
    }

    [Fact]
    public void Validate_EveryBadField_IsNamedByItsRpcPath()
    {
        var config = Valid() with
        {
            Pools = [new PoolSpec("H200!", NoLabels), new PoolSpec("a100", NoLabels), new PoolSpec("a100", NoLabels)],
            Tenants = [new TenantSpec("ml-team", 0, new Dictionary<string, ResourceQuota> { ["v100"] = new(-1) })],
            PriorityClasses = [new PriorityClassSpec("high", 5000)],
            Tuning = SchedulingTuning.Default with { AgingInterval = TimeSpan.Zero },
        };

        var fields = SchedulingConfigValidator.Validate(config, ConfigFieldStyle.Proto).Select(e => e.Field).ToList();

        Assert.Equal(["pools[0].name", "pools[2].name", "tenants[0].weight", "tenants[0].quotas.v100", "tenants[0].quotas.v100.gpus",
            "priority_classes[0].value", "tuning.aging_interval"], fields);
    }

    [Fact]
    public void Validate_AQuotaInAnUndefinedPool_ListsTheKnownPools()
    {
        var config = Valid() with { Tenants = [new TenantSpec("ml-team", 1, new Dictionary<string, ResourceQuota> { ["v100"] = new(4) })] };

        var error = Assert.Single(SchedulingConfigValidator.Validate(config, ConfigFieldStyle.Configuration));

        Assert.Equal("Orchestrator:Scheduling:Tenants:0:Quotas:v100", error.Field);
        Assert.Contains("known: a100, default, h200", error.Message);
    }

    [Fact]
    public void PoolFor_TakesTheFirstMatchingPool_ElseDefault()
    {
        var config = Valid() with { Pools = [.. Valid().Pools, new PoolSpec("any-h200", new Dictionary<string, string> { ["gpu"] = "h200" })] };

        Assert.Equal("h200", config.PoolFor(new Dictionary<string, string> { ["gpu"] = "h200", ["rack"] = "r1" }));
        Assert.Equal("a100", config.PoolFor(new Dictionary<string, string> { ["gpu"] = "a100" }));
        Assert.Equal(SchedulingConfig.DefaultPool, config.PoolFor(new Dictionary<string, string> { ["gpu"] = "t4" }));
        Assert.Equal(SchedulingConfig.DefaultPool, config.PoolFor(NoLabels));
    }

    [Fact]
    public void PriorityOf_KnownAndUnknownClasses()
    {
        Assert.Equal(100, Valid().PriorityOf("high"));
        Assert.Null(Valid().PriorityOf("urgent"));
    }
}
