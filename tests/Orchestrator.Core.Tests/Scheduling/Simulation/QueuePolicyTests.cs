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

    [Fact]
    public void Default_UsesTheEstimateUntilOutlived_ThenTheAttainedService()
    {
        var policy = new DefaultQueuePolicy();

        // 2 GPUs, estimate 1000 s: 2000 GPU-s expected; 600 attained leaves 1400.
        Assert.Equal(1400, policy.ExpectedRemainingGpuSeconds(View(2, attained: 600, ranFor: 300, estimate: 1000)));

        // Past its estimate it is taken to be long: as much again as it already had.
        Assert.Equal(5000, policy.ExpectedRemainingGpuSeconds(View(2, attained: 5000, ranFor: 2500, estimate: 1000)));

        // No history: the prior of one GPU-hour.
        Assert.Equal(3600, policy.ExpectedRemainingGpuSeconds(View(1, 0, 0, estimate: null)));

        // Classes are powers of 4 of expected remaining GPU-seconds.
        Assert.Equal(Math.Floor(Math.Log(1400) / Math.Log(4)), policy.Rank(View(2, 600, 300, 1000), Now));
        Assert.True(policy.Rank(View(1, 0, 0, 100), Now) < policy.Rank(View(8, 0, 0, 100_000), Now));
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
