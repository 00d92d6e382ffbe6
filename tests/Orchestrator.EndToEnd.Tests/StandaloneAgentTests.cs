using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A control plane without a local agent and a standalone Orchestrator.Agent process that connects to it:
/// steps run on the agent's node, and artifacts travel both ways over gRPC.</summary>
public sealed class StandaloneAgentTests
{
    [Fact]
    public async Task StandaloneAgent_RunsStepsOnItsNode_UploadingAndDownloadingArtifactsOverGrpc()
    {
        await using var server = await ServerProcess.StartAsync("--agent", "false");
        var work = RunControlTests.TempDir();
        await using var agent = ChildProcess.StartDotnet(Repo.AgentDll,
        [
            "--gateway", server.GrpcAddress, "--name", "remote-1", "--simulate-gpus", "2", "--gpu-model", "Simulated A100",
            "--label", "zone=lab", "--work-dir", work,
        ]);
        await server.WaitForNodeAsync("remote-1");

        await server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            SpecYaml = """
                name: remote
                steps:
                  - name: produce
                    command: [sh, -c, 'seq 1 1000 > {{outputs.numbers}}']
                    outputs: [numbers]
                  - name: consume
                    resources: {gpus: 2, gpu_model: Simulated A100}
                    inputs: {numbers: '{{steps.produce.outputs.numbers}}'}
                    command: [sh, -c, 'echo "gpus=$CUDA_VISIBLE_DEVICES"; awk "{s+=\$1} END {print s}" {{inputs.numbers}} > {{outputs.total}}']
                    outputs: [total]
                """,
        });
        var run = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "remote" });
        var done = await Eventually.Until(async () =>
        {
            var r = await server.Runs.GetRunAsync(new GetRunRequest { RunId = run.Id });
            return r.State is RunState.Succeeded or RunState.Failed ? r : null;
        }, TimeSpan.FromSeconds(60), "the run to finish\n" + agent.Output);

        Assert.Equal(RunState.Succeeded, done.State);
        var consume = done.Steps.Single(s => s.Key == "consume");
        Assert.Equal("remote-1", consume.Node);
        Assert.Equal([0, 1], consume.GpuIndices);
        Assert.Equal("500500", consume.Outputs.Single().Value);
        Assert.Contains("gpus=0,1", await Logs.ReadAsync(server.Runs, run.Id, "consume"), StringComparison.Ordinal);
        var numbers = done.Steps.Single(s => s.Key == "produce").Outputs.Single();
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "artifacts", "sha256", numbers.Digest[..2], numbers.Digest)),
            "the agent uploaded its output into the server's artifact store");

        var node = (await server.Nodes.ListNodesAsync(new ListNodesRequest())).Nodes.Single(n => n.Name == "remote-1");
        Assert.Equal("lab", node.Labels["zone"]);
        Assert.Equal(2, node.Gpus.Count);
        Assert.All(node.Gpus, g => Assert.True(g.Simulated));
        Assert.Empty(node.Allocations);
    }
}
