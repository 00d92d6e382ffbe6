using Orchestrator.Execution.Gpus;

namespace Orchestrator.Execution.Tests.Gpus;

/// <summary>Verifies simulated GPUs: the requested count and model, 80 GiB by default, uuids stable per node, and
/// utilization that follows which GPUs steps hold.</summary>
public sealed class SimulatedGpusTests
{
    [Fact]
    public async Task DiscoverAsync_GivesTheRequestedDevicesMarkedSimulated()
    {
        var gpus = await new SimulatedGpus("node-a", 2, "Test GPU").DiscoverAsync();

        Assert.Equal([0, 1], gpus.Select(g => g.Index));
        Assert.All(gpus, g =>
        {
            Assert.Equal("Test GPU", g.Model);
            Assert.Equal(80L << 30, g.MemoryBytes);
            Assert.True(g.Simulated);
            Assert.Matches("^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", g.Uuid);
        });
        Assert.NotEqual(gpus[0].Uuid, gpus[1].Uuid);
    }

    [Fact]
    public async Task Uuids_AreStablePerNodeAndDifferBetweenNodes()
    {
        var first = await new SimulatedGpus("node-a", 1).DiscoverAsync();
        var again = await new SimulatedGpus("node-a", 1).DiscoverAsync();
        var other = await new SimulatedGpus("node-b", 1).DiscoverAsync();

        Assert.Equal(first[0].Uuid, again[0].Uuid);
        Assert.NotEqual(first[0].Uuid, other[0].Uuid);
    }

    [Fact]
    public async Task SampleAsync_HeldGpusAreFullyBusyAndOthersIdle()
    {
        var samples = await new SimulatedGpus("node-a", 3).SampleAsync(new HashSet<int> { 1 });

        Assert.Equal([0.0, 1.0, 0.0], samples.Select(s => s.Utilization));
    }

    [Fact]
    public void Constructor_NegativeCount_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedGpus("node-a", -1));
    }
}
