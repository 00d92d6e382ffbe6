using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch nodes (= nodes list), cordon, uncordon and drain against a fake server.</summary>
public sealed class NodeCommandTests
{
    [Theory]
    [InlineData("nodes")]
    [InlineData("nodes", "list")]
    public async Task Nodes_ShowsCapacityAllocationUtilizationAndHeartbeat(params string[] args)
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.ListNodes = _ => new ListNodesResponse { Nodes = { GpuNode(), new Node { Name = "cpu-1", State = NodeState.Lost, Cordoned = true, CpuMillis = 8000, MemoryBytes = 16L << 30 } } };

        var result = await CliHarness.RunAsync(server.Address, args);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^NODE\s+STATE\s+CORDONED\s+GPUS\s+CPU\s+MEMORY\s+GPU UTIL\s+HEARTBEAT", result.StdoutLines[0]);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(result.StdoutLines[1], @"^gpu-1\s+ready\s+no\s+2/4 NVIDIA H200\s+6.5/64\s+40Gi/1Ti\s+0:97% 1:50% 2:0% 3:0%\s+\d+s ago$"), result.StdoutLines[1]);
        Assert.Matches(@"^cpu-1\s+lost\s+yes\s+0\s+0/8\s+0/16Gi\s+-\s+-$", result.StdoutLines[2]);
    }

    [Fact]
    public async Task CordonAndUncordon_NameTheNode_AndJsonParsesBack()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.CordonNode = r => new Node { Name = r.Node, Cordoned = true, State = NodeState.Ready };
        server.Backend.UncordonNode = r => new Node { Name = r.Node, State = NodeState.Ready };

        var cordon = await CliHarness.RunAsync(server.Address, "nodes", "cordon", "gpu-1");
        var uncordon = await CliHarness.RunAsync(server.Address, "nodes", "uncordon", "gpu-1", "-o", "json");

        Assert.Equal("node gpu-1 cordoned: no new steps will be placed there; running steps continue", cordon.Stdout.TrimEnd());
        Assert.Equal(new Node { Name = "gpu-1", State = NodeState.Ready }, JsonParser.Default.Parse<Node>(uncordon.Stdout));
        Assert.Equal(["gpu-1", "gpu-1"], server.Backend.Requests.OfType<CordonNodeRequest>().Select(r => r.Node));
    }

    [Fact]
    public async Task Drain_SaysDrainingWithTheRunningSteps_ThenDrained_AndTheListShowsIt()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var drains = 0;
        server.Backend.DrainNode = r => ++drains == 1
            ? new Node { Name = r.Node, Cordoned = true, Drain = DrainState.Draining, State = NodeState.Ready, Allocations = { GpuNode().Allocations } }
            : new Node { Name = r.Node, Cordoned = true, Drain = DrainState.Drained, State = NodeState.Ready };
        server.Backend.ListNodes = _ => new ListNodesResponse
        {
            Nodes = { new Node { Name = "gpu-1", State = NodeState.Ready, Cordoned = true, Drain = DrainState.Draining }, new Node { Name = "gpu-2", State = NodeState.Ready, Cordoned = true, Drain = DrainState.Drained } },
        };

        var draining = await CliHarness.RunAsync(server.Address, "nodes", "drain", "gpu-1");
        var drained = await CliHarness.RunAsync(server.Address, "nodes", "drain", "gpu-1", "-o", "json");
        var list = await CliHarness.RunAsync(server.Address, "nodes");

        Assert.True(draining.ExitCode == 0, draining.ToString());
        Assert.Equal("node gpu-1 draining: no new steps will be placed there; 1 running step continues ('orch nodes' shows when it is drained)", draining.Stdout.TrimEnd());
        Assert.Equal(DrainState.Drained, JsonParser.Default.Parse<Node>(drained.Stdout).Drain);
        Assert.Matches(@"^gpu-1\s+ready\s+draining\s", list.StdoutLines[1]);
        Assert.Matches(@"^gpu-2\s+ready\s+drained\s", list.StdoutLines[2]);
        Assert.Equal(["gpu-1", "gpu-1"], server.Backend.Received<CordonNodeRequest>().Select(r => r.Node));
    }

    [Fact]
    public async Task Drain_OfAnUnknownNode_PrintsNotFound_AndExitsWithTheRequestErrorCode()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.DrainNode = r => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.NotFound, $"node {r.Node} has never registered"));

        var result = await CliHarness.RunAsync(server.Address, "nodes", "drain", "typo");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: NOT_FOUND: node typo has never registered", result.Stderr);
    }

    private static Node GpuNode()
    {
        var node = new Node
        {
            Name = "gpu-1",
            State = NodeState.Ready,
            CpuMillis = 64000,
            CpuMillisAllocated = 6500,
            MemoryBytes = 1L << 40,
            MemoryBytesAllocated = 40L << 30,
            LastHeartbeat = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-3)),
        };
        for (var i = 0; i < 4; i++) node.Gpus.Add(new GpuDevice { Index = i, Model = "NVIDIA H200", MemoryBytes = 143771L << 20 });
        node.Utilization.Add(new GpuSample { Index = 1, Utilization = 0.5 });
        node.Utilization.Add(new GpuSample { Index = 0, Utilization = 0.97 });
        node.Utilization.Add(new GpuSample { Index = 2 });
        node.Utilization.Add(new GpuSample { Index = 3 });
        node.Allocations.Add(new Allocation { Step = new StepRef { RunId = "r-1", StepKey = "train[0]", Attempt = 1 }, GpuIndices = { 0, 1 } });
        return node;
    }
}
