using Orchestrator.Core.Retraining;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Retraining;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Retraining;

/// <summary>Verifies the budget grain under a storm of concurrent requests (it commits grants in groups): it never grants
/// more than its limits, answers every caller, and once the holders release, grants and tells the waiting models until
/// the queue is empty, counting every grant.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RetrainingBudgetGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ConcurrentRequests_GrantNoMoreThanTheLimit_AndReleasesDrainTheQueue()
    {
        await using var s = fixture.NewScenario();
        var budget = s.Grains.GetGrain<IRetrainingBudgetGrain>(RetrainingBudgetGrain.Key);
        await budget.ConfigureAsync(new RetrainingBudgetSpec(5, 5, 100_000, 1_000), "test");
        try
        {
            // The rate's bucket refills on the cluster's fake clock: a minute at the new rate fills it to the burst.
            s.Cluster.Clock.Advance(TimeSpan.FromMinutes(1));
            var before = await budget.GetAsync();
            var models = Enumerable.Range(0, 40).Select(i => ModelGrain.KeyOf(s.Tenant, $"storm-{i}")).ToList();

            var answers = await Task.WhenAll(models.Select(m => budget.RequestAsync(m, s.Tenant)));

            Assert.Equal(5, answers.Count(a => a.Granted));
            var held = await budget.GetAsync();
            Assert.Equal(5, held.Granted.Count(g => g.Value == s.Tenant));
            Assert.Equal(35, held.Waiting.Count(w => w.Tenant == s.Tenant));
            Assert.Equal(before.GrantedTotal + 5, held.GrantedTotal);

            // The holders' runs end; each model granted in their stead has no retraining waiting (no policy), so its grain
            // gives the grant back at once, which grants the next: the queue drains through the grains' own calls.
            await Task.WhenAll(models.Where((_, i) => answers[i].Granted).Select(budget.ReleaseAsync));
            var drained = await Eventually.MatchAsync(budget.GetAsync,
                b => !b.Granted.ContainsValue(s.Tenant) && b.Waiting.All(w => w.Tenant != s.Tenant), "every waiting model to be granted and to give it back");
            Assert.Equal(before.GrantedTotal + 40, drained.GrantedTotal);
        }
        finally
        {
            await budget.ConfigureAsync(new RetrainingBudgetSpec(), "test");
        }
    }
}
