using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Hosting;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies the scheduling configuration: bound and checked from the server configuration with errors naming
/// the configuration path, in force from the start, replaced at runtime only when valid, and kept across a restart.</summary>
public sealed class SchedulingConfigTests
{
    private static SchedulingConfig TwoPools() => new(
        [new PoolSpec("h200", new Dictionary<string, string> { ["gpu"] = "h200" })],
        [new TenantSpec("team-a", 1, new Dictionary<string, ResourceQuota> { ["h200"] = new(8) })],
        [new PriorityClassSpec("high", 100)],
        SchedulingTuning.Default with { PreemptionGrace = TimeSpan.FromSeconds(5) });

    [Fact]
    public void ServerConfiguration_BindsAndValidates_WithThePathOfEveryBadKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestrator:Scheduling:Pools:0:Name"] = "h200",
            ["Orchestrator:Scheduling:Pools:0:NodeSelector:gpu"] = "h200",
            ["Orchestrator:Scheduling:Pools:0:Packing"] = "tightest",
            ["Orchestrator:Scheduling:Tenants:0:Name"] = "team-a",
            ["Orchestrator:Scheduling:Tenants:0:Quotas:h200:Gpus"] = "-2",
            ["Orchestrator:Scheduling:PriorityClasses:0:Name"] = "high",
            ["Orchestrator:Scheduling:PriorityClasses:0:Value"] = "100",
            ["Orchestrator:Scheduling:Tuning:PreemptionGrace"] = "00:00:05",
            ["Orchestrator:Scheduling:Tuning:BackfillMode"] = "eager",
        }).Build();
        var options = configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>()!;

        var result = new SchedulingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.StartsWith("Orchestrator:Scheduling:Tuning:BackfillMode: 'eager' is not a backfill mode", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Orchestrator:Scheduling:Pools:0:Packing: 'tightest'", StringComparison.Ordinal) && f.Contains("best-fit or spread"));
        Assert.Contains(result.Failures!, f => f.StartsWith("Orchestrator:Scheduling:Tenants:0:Quotas:h200:Gpus: -2 is negative", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(5), options.ToConfig().Tuning.PreemptionGrace);
    }

    [Fact]
    public void ServerConfiguration_GreedyBackfill_ReachesTheCore()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestrator:Scheduling:Tuning:BackfillMode"] = "Greedy",
        }).Build();
        var options = configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>()!;

        Assert.True(new SchedulingOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(BackfillMode.Greedy, options.ToConfig().Tuning.BackfillMode);
        Assert.Equal(BackfillMode.Reserve, new SchedulingOptions().ToConfig().Tuning.BackfillMode);
    }

    [Fact]
    public async Task Config_StartsFromTheServerConfiguration_AnUpdateReplacesIt_AndSurvivesARestart()
    {
        using var data = new TempDirectory();
        var updated = TwoPools();
        await using (var cluster = await OrchestratorCluster.StartAsync(data.Path, scheduling: o =>
            o.PriorityClasses.Add(new PriorityClassOptions { Name = "from-server", Value = 7 })))
        {
            var grain = cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key);
            var initial = await grain.GetAsync();
            Assert.Equal(0, initial.Version);
            Assert.Equal(7, initial.Config.PriorityOf("from-server"));

            var after = await grain.UpdateAsync(updated);
            Assert.Equal(1, after.Version);
            Assert.Equal(100, (await grain.GetAsync()).Config.PriorityOf("high"));
        }

        await using var restarted = await OrchestratorCluster.StartAsync(data.Path, scheduling: o =>
            o.PriorityClasses.Add(new PriorityClassOptions { Name = "from-server", Value = 7 }));
        var kept = await restarted.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key).GetAsync();
        Assert.Equal(1, kept.Version);
        Assert.Equal(["h200"], kept.Config.Pools.Select(p => p.Name));
        Assert.Equal(8, kept.Config.Tenants.Single().Quotas["h200"].Gpus);
        Assert.Equal(TimeSpan.FromSeconds(5), kept.Config.Tuning.PreemptionGrace);
        Assert.Null(kept.Config.PriorityOf("from-server"));
    }

    [Fact]
    public async Task Update_WithBadFields_IsRejectedWithEveryPath_AndChangesNothing()
    {
        using var data = new TempDirectory();
        await using var cluster = await OrchestratorCluster.StartAsync(data.Path);
        var grain = cluster.Client.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key);
        await grain.UpdateAsync(TwoPools());
        var bad = TwoPools() with
        {
            Tenants = [new TenantSpec("team-a", 1, new Dictionary<string, ResourceQuota> { ["h100"] = new(8) })],
            PriorityClasses = [new PriorityClassSpec("high", 100), new PriorityClassSpec("high", 5)],
        };

        var error = await Assert.ThrowsAsync<OrchestratorException>(() => grain.UpdateAsync(bad));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(["tenants[0].quotas.h100", "priority_classes[1].name"], error.Fields.Select(f => f.Field));
        var current = await grain.GetAsync();
        Assert.Equal(1, current.Version);
        Assert.Equal("h200", current.Config.Tenants.Single().Quotas.Keys.Single());
    }
}
