using Orchestrator.Core.Scheduling.Simulation;

namespace Orchestrator.Core.Tests.Scheduling.Simulation;

/// <summary>Verifies the simulation's figures on hand-built outcomes: JCT statistics, makespan, queueing delay,
/// utilization and Jain's fairness index.</summary>
public sealed class SimulationMetricsTests
{
    [Fact]
    public void JainIndex_OfEqualValues_IsOne()
    {
        Assert.Equal(1, SimulationMetrics.JainIndex([0.4, 0.4, 0.4]), 12);
    }

    [Fact]
    public void JainIndex_WhenOneHasEverything_IsOneOverN()
    {
        Assert.Equal(0.25, SimulationMetrics.JainIndex([1, 0, 0, 0]), 12);
        Assert.Equal((1.0 + 0.5) * (1.0 + 0.5) / (2 * (1 + 0.25)), SimulationMetrics.JainIndex([1, 0.5]), 12);
    }

    [Fact]
    public void Percentile_InterpolatesBetweenClosestRanks()
    {
        double[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        Assert.Equal(5.5, SimulationMetrics.Percentile(values, 0.5), 12);
        Assert.Equal(9.91, SimulationMetrics.Percentile(values, 0.99), 12);
        Assert.Equal(10, SimulationMetrics.Percentile(values, 1), 12);
    }

    [Fact]
    public void From_HandBuiltOutcomes_GivesEachFigure()
    {
        // Two tenants on 4 GPUs. a: no wait. b: waits 10 s. c: waits 30 s and was preempted once (30 s grace held).
        JobOutcome[] outcomes =
        [
            new("a", "t1", 2, Submitted: 0, FirstStarted: 0, Completed: 10, RunSeconds: 10, HeldGpuSeconds: 20, Preemptions: 0),
            new("b", "t1", 2, Submitted: 0, FirstStarted: 10, Completed: 20, RunSeconds: 10, HeldGpuSeconds: 20, Preemptions: 0),
            new("c", "t2", 4, Submitted: 10, FirstStarted: 20, Completed: 50, RunSeconds: 10, HeldGpuSeconds: 80, Preemptions: 1),
        ];

        var m = SimulationMetrics.From(outcomes, clusterGpus: 4);

        Assert.Equal(3, m.Jobs);
        Assert.Equal((10 + 20 + 40) / 3.0, m.AverageJctSeconds, 9);
        Assert.Equal(20, m.MedianJctSeconds, 9);
        Assert.Equal(20 + (0.98 * 20), m.P99JctSeconds, 9);
        Assert.Equal(50, m.MakespanSeconds, 9);
        Assert.Equal((0 + 10 + 30) / 3.0, m.AverageQueueSeconds, 9);
        Assert.Equal(120 / (4 * 50.0), m.GpuUtilization, 9);
        Assert.Equal(2, m.Tenants);
        Assert.Equal(1, m.Preemptions);

        // Tenant means of run ÷ JCT: t1 (1 + 0.5) / 2 = 0.75, t2 0.25.
        Assert.Equal(SimulationMetrics.JainIndex([0.75, 0.25]), m.JainFairness, 12);
    }

    [Fact]
    public void From_OneTenant_IsPerfectlyFair_AndZeroJctCountsAsNoWait()
    {
        JobOutcome[] outcomes = [new("z", "only", 1, 5, 5, 5, 0, 0, 0)];

        var m = SimulationMetrics.From(outcomes, 8);

        Assert.Equal(1, m.JainFairness);
        Assert.Equal(0, m.AverageJctSeconds);
        Assert.Equal(1, SimulationMetrics.NormalizedPerformance(outcomes[0]));
    }
}
