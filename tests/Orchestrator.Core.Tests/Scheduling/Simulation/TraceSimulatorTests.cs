using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Simulation;

namespace Orchestrator.Core.Tests.Scheduling.Simulation;

/// <summary>Verifies the discrete-event simulator on the Tiresias 60-job trace with the real scheduling core: every
/// job completes, no job finishes faster than its duration, utilization stays within 1, FIFO never preempts, SRTF
/// beats FIFO on average JCT, greedy starts beat reservations on one node, and runs are deterministic.</summary>
public sealed class TraceSimulatorTests
{
    private static readonly SimulationTrace Trace = TraceReader.Read(TraceFixtures.Tiresias60);

    [Theory]
    [InlineData("fifo")]
    [InlineData("srtf")]
    [InlineData("tiresias")]
    [InlineData("default")]
    public void EveryPolicy_CompletesEveryJob_NoFasterThanItsDuration(string name)
    {
        var result = Simulate(name, "3x4");

        Assert.Equal(60, result.Metrics.Jobs);
        Assert.Equal(Trace.Jobs.Select(j => j.Id).Order(), result.Jobs.Select(j => j.Id).Order());
        foreach (var job in result.Jobs)
        {
            var source = Trace.Jobs.Single(j => j.Id == job.Id);
            Assert.True(job.JctSeconds >= source.Duration.TotalSeconds - 1e-9, $"job {job.Id}: JCT {job.JctSeconds} < duration {source.Duration.TotalSeconds}");
            Assert.True(job.FirstStarted >= job.Submitted, $"job {job.Id} started before it was submitted");
            Assert.True(job.HeldGpuSeconds >= (source.Duration.TotalSeconds * source.Gpus) - 1e-6, $"job {job.Id} held its GPUs for less than its work");
        }

        Assert.InRange(result.Metrics.GpuUtilization, 0.01, 1.0);
        Assert.True(result.Metrics.MakespanSeconds >= Trace.Jobs.Max(j => (j.Submit + j.Duration).TotalSeconds) - 1e-9);
        Assert.Equal(1, result.Metrics.JainFairness);
    }

    [Fact]
    public void Fifo_NeverPreempts()
    {
        var result = Simulate("fifo", "3x4");

        Assert.Equal(0, result.Metrics.Preemptions);
        Assert.All(result.Jobs, j => Assert.Equal(0, j.Preemptions));
    }

    [Fact]
    public void Srtf_HasNoWorseAverageJctThanFifo()
    {
        var fifo = Simulate("fifo", "3x4");
        var srtf = Simulate("srtf", "3x4");

        Assert.True(srtf.Metrics.AverageJctSeconds <= fifo.Metrics.AverageJctSeconds,
            $"srtf {srtf.Metrics.AverageJctSeconds:F0} s > fifo {fifo.Metrics.AverageJctSeconds:F0} s");
    }

    [Fact]
    public void GreedyStarts_OnOneNode_KeepMoreGpusBusy_ThanReservations()
    {
        // One 8-GPU node: a reservation for a wide job idles GPUs that the short narrow jobs behind it would use.
        var greedy = SimulationPolicy.ByName("tiresias")!;
        var reserve = greedy with { Tuning = greedy.Tuning with { BackfillMode = BackfillMode.Reserve } };
        var cluster = SimulatedCluster.Parse("1x8");

        var withGreedy = TraceSimulator.Run(Trace, cluster, greedy);
        var withReserve = TraceSimulator.Run(Trace, cluster, reserve);

        Assert.Equal(BackfillMode.Greedy, greedy.Tuning.BackfillMode);
        Assert.True(withGreedy.Metrics.GpuUtilization > withReserve.Metrics.GpuUtilization);
        Assert.True(withGreedy.Metrics.AverageJctSeconds < withReserve.Metrics.AverageJctSeconds,
            $"greedy {withGreedy.Metrics.AverageJctSeconds:F0} s >= reserve {withReserve.Metrics.AverageJctSeconds:F0} s");
    }

    [Fact]
    public void SameInputs_GiveTheSameFigures()
    {
        var first = Simulate("tiresias", "3x4");
        var second = Simulate("tiresias", "3x4");

        Assert.Equal(first.Metrics, second.Metrics);
        Assert.Equal(first.Jobs, second.Jobs);
    }

    [Fact]
    public void AnIdleCluster_RunsEachJobAtOnce()
    {
        // 60 jobs of at most 8 GPUs on 64 GPUs of 8-GPU nodes: at most 49 GPUs are ever asked for at once.
        var result = Simulate("fifo", "8x8");

        Assert.All(result.Jobs, j => Assert.Equal(j.Submitted, j.FirstStarted, 9));
        Assert.Equal(0, result.Metrics.AverageQueueSeconds, 9);
    }

    [Fact]
    public void AJobLargerThanTheCluster_IsRefusedNamingIt()
    {
        var error = Assert.Throws<SimulationException>(() => new TraceSimulator(Trace, SimulatedCluster.Parse("1x4"), SimulationPolicy.ByName("fifo")!));

        Assert.Contains("job 1 ", error.Message);
        Assert.Contains("needs 8 GPUs", error.Message);
        Assert.Contains("larger cluster", error.Message);
    }

    private static SimulationResult Simulate(string policy, string nodes) =>
        TraceSimulator.Run(Trace, SimulatedCluster.Parse(nodes), SimulationPolicy.ByName(policy)!);
}
