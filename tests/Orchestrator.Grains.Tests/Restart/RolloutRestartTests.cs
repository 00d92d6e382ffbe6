using Orchestrator.Core.Models;
using Orchestrator.Core.Rollouts;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Rollouts;
using Orchestrator.Grains.Tests.Support;
using Orchestrator.Storage;

namespace Orchestrator.Grains.Tests.Restart;

/// <summary>Verifies that a rollout held by bake time alone advances after a restart with no traffic and no caller:
/// the directory of progressing rollouts wakes it when the silo starts.</summary>
public sealed class RolloutRestartTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AfterARestart_AProgressingRollout_AdvancesOnBakeTimeWithoutTrafficOrCallers()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        DateTimeOffset stoppedAt;
        await using (var cluster = await OrchestratorCluster.StartAsync(_data.Path, Durability.Fsync))
        {
            var s = new Scenario(cluster, id);
            var model = Model(s);
            await model.RegisterVersionAsync(Spec(), "", "", "alice");
            await model.RegisterVersionAsync(Spec(), "", "", "alice");
            await model.SetAliasAsync("champion", "1", "", "alice");
            var plan = new RolloutPlan { Steps = [new(50, TimeSpan.FromMinutes(10)), new(100, TimeSpan.FromMinutes(10))] };
            await s.Grains.GetGrain<IRolloutGrain>(ModelDeployments.Key(s.Tenant, "churn", "")).StartAsync(2, plan, "", "alice");
            stoppedAt = cluster.Clock.GetUtcNow();
        }

        await using (var cluster = await OrchestratorCluster.StartAsync(_data.Path, Durability.Fsync, new ObservedClock(stoppedAt)))
        {
            var s = new Scenario(cluster, id);
            var model = Model(s);
            cluster.Clock.Advance(TimeSpan.FromMinutes(10));

            // Only the model grain is asked: nothing touches the rollout but the wake-up at start.
            var audit = await Eventually.MatchAsync(async () =>
            {
                cluster.Clock.Advance(RolloutGrain.TickInterval);
                return await model.GetAuditAsync(20, 0);
            }, a => a.Entries.Any(e => e.Action == ModelAuditAction.RolloutAdvanced), "the rollout to advance by itself after the restart");

            Assert.Contains("challenger now at 100%", audit.Entries.First(e => e.Action == ModelAuditAction.RolloutAdvanced).Detail);
        }
    }

    private static IModelGrain Model(Scenario s) => s.Grains.GetGrain<IModelGrain>(ModelGrain.KeyOf(s.Tenant, "churn"));

    private static ModelVersionSpec Spec() => new()
    {
        Artifact = new ModelArtifact { Digest = new string('e', 64), SizeBytes = 2048 },
        Metrics = new Dictionary<string, double> { ["accuracy"] = 0.8 },
    };
}
