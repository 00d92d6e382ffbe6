using Orchestrator.Core.Scheduling.Simulation;

namespace Orchestrator.Core.Tests.Scheduling.Simulation;

/// <summary>Verifies parsing of <c>--nodes</c>, the simulated nodes and their racks, and how a trace job's GPU count
/// becomes a gang shape.</summary>
public sealed class SimulatedClusterTests
{
    [Fact]
    public void Parse_TwoGroups_GivesNodesInOrder_RackedByFour()
    {
        var cluster = SimulatedCluster.Parse("8x8, 4x4");

        Assert.Equal([new NodeGroup(8, 8), new NodeGroup(4, 4)], cluster.Groups);
        Assert.Equal(80, cluster.TotalGpus);
        Assert.Equal(8, cluster.LargestNode);
        var nodes = cluster.Nodes();
        Assert.Equal(12, nodes.Count);
        Assert.Equal(("node-0001", 8, "rack-01"), (nodes[0].Name, nodes[0].GpuCount, nodes[0].Labels["rack"]));
        Assert.Equal(("node-0005", 8, "rack-02"), (nodes[4].Name, nodes[4].GpuCount, nodes[4].Labels["rack"]));
        Assert.Equal(("node-0012", 4, "rack-03"), (nodes[11].Name, nodes[11].GpuCount, nodes[11].Labels["rack"]));
        Assert.All(nodes, n => Assert.True(n.Schedulable));
    }

    [Theory]
    [InlineData("", "--nodes is empty")]
    [InlineData("8", "'8' is not COUNTxGPUS")]
    [InlineData("8x", "'8x' is not COUNTxGPUS")]
    [InlineData("axb", "'axb' is not COUNTxGPUS")]
    [InlineData("0x8", "at least 1")]
    [InlineData("8x8,-1x4", "'-1x4' is not COUNTxGPUS")]
    public void Parse_Bad_SaysWhatIsExpected(string text, string problem)
    {
        var error = Assert.Throws<FormatException>(() => SimulatedCluster.Parse(text));

        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData(1, 8, 1, 1)]
    [InlineData(4, 8, 1, 4)]
    [InlineData(8, 8, 1, 8)]
    [InlineData(16, 8, 2, 8)]
    [InlineData(32, 8, 4, 8)]
    [InlineData(128, 8, 16, 8)]
    [InlineData(12, 8, 2, 6)]
    [InlineData(24, 8, 3, 8)]
    [InlineData(6, 4, 2, 3)]
    [InlineData(7, 4, 7, 1)]
    public void Shape_OfAJob_IsOneReplicaUpToANode_ElseTheLargestDivisorThatFits(int gpus, int perNode, int replicas, int perReplica)
    {
        var shape = SimulatedCluster.Shape(gpus, perNode);

        Assert.Equal((replicas, perReplica), (shape.Replicas, shape.PerReplica.Gpus));
        Assert.Equal(gpus, shape.TotalGpus);
    }

    [Fact]
    public void CanEverHold_CountsReplicasPerNode()
    {
        var cluster = SimulatedCluster.Parse("2x8,2x4");

        Assert.True(cluster.CanEverHold(cluster.ShapeFor(16)));
        Assert.False(cluster.CanEverHold(cluster.ShapeFor(24)));
        Assert.True(cluster.CanEverHold(SimulatedCluster.Shape(24, 4)));
        Assert.False(cluster.CanEverHold(SimulatedCluster.Shape(28, 4)));
    }
}
