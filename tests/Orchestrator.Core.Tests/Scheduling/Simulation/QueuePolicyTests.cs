using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Policies;
using Orchestrator.Core.Scheduling.Simulation;

namespace Orchestrator.Core.Tests.Scheduling.Simulation;

/// <summary>Verifies the ranks of the srtf, tiresias and default queue policies and the simulator's policy catalog.</summary>
public sealed class QueuePolicyTests
{
    private static readonly DateTimeOffset Now = TraceSimulator.Epoch;

    [Fact]
    public void Srtf_RanksByRemainingTime_UnknownLast()
    {
        var policy = new SrtfPolicy();

        Assert.Equal(70, policy.Rank(View(8, attained: 0, ranFor: 30, estimate: 100), Now));
        Assert.Equal(0, policy.Rank(View(8, attained: 0, ranFor: 130, estimate: 100), Now));
        Assert.Equal(double.MaxValue, policy.Rank(View(1, 0, 0, estimate: null), Now));
        Assert.True(policy.PreemptsByRank);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3249, 0)]
    [InlineData(3250, 1)]
    [InlineData(7199, 1)]
    [InlineData(7200, 2)]
    [InlineData(1e9, 2)]
    public void Tiresias_QueueIsThresholdsPassedByAttainedGpuSeconds(double attained, double queue)
    {
        var policy = new TiresiasPolicy();

        Assert.Equal(queue, policy.Rank(View(4, attained, TimeSpan.Zero.TotalSeconds, estimate: 50), Now));
        Assert.True(policy.PreemptsByRank);
        Assert.Equal(TimeSpan.FromMinutes(1), policy.RerankInterval);
    }

    [Fact]
    public void Tiresias_RejectsThresholdsOutOfOrder()
    {
        Assert.Throws<ArgumentException>(() => new TiresiasPolicy([7200, 3250]));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(39_999, 0)]
    [InlineData(40_000, 1)]
    [InlineData(99_999, 1)]
    public void Default_YoungJobs_RankByClassOfAttainedGpuSeconds(double attained, double rank)
    {
        Assert.Equal(rank, new DefaultQueuePolicy().Rank(View(8, attained, 0, estimate: null), Now));
    }

    [Fact]
    public void Default_OldJobs_GoAfterYoungOnes_LongestRunFirst_IgnoringEstimates()
    {
        var policy = new DefaultQueuePolicy();

        // 8 GPUs × 20,000 s beats 32 GPUs × 5,000 s (same GPU-seconds, less run time); both go after any young job.
        var longRun = policy.Rank(View(8, 160_000, 0, estimate: 10), Now);
        var wideShortRun = policy.Rank(View(32, 160_000, 0, estimate: null), Now);
        Assert.True(longRun < wideShortRun);
        Assert.True(policy.Rank(View(1, 99_999, 0, null), Now) < longRun);
        Assert.Equal(policy.Rank(View(8, 500_000, 0, estimate: 10), Now), policy.Rank(View(8, 500_000, 0, estimate: 1e6), Now));
        Assert.True(policy.PreemptsByRank);
    }

    [Fact]
    public void Catalog_KnowsEveryName_OnlySrtfHasTheOracle()
    {
        foreach (var name in SimulationPolicy.Names)
        {
            var policy = SimulationPolicy.ByName(name.ToUpperInvariant());
            Assert.NotNull(policy);
            Assert.Equal(name, policy.Policy.Name);
            Assert.Equal(name == "srtf", policy.OracleDurations);
            Assert.Equal(0, policy.Tuning.MaxAgingBoost);
            Assert.Equal(name is "tiresias" or "default" ? BackfillMode.Greedy : BackfillMode.Reserve, policy.Tuning.BackfillMode);
        }

        Assert.Null(SimulationPolicy.ByName("lottery"));
    }

    private static JobView View(int gpus, double attained, double ranFor, double? estimate)
    {
        var shape = new GangShape(1, new ResourceRequest(0, 0, gpus, ""));
        var expected = estimate is { } e ? TimeSpan.FromSeconds(e) : (TimeSpan?)null;
        var job = new JobRequest("j", "t", 0, shape, Now, expected);
        return new JobView(job, ranFor > 0, attained, TimeSpan.FromSeconds(ranFor), expected);
    }
}
