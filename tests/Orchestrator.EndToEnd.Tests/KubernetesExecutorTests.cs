using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;
using Orchestrator.Testing.Kubernetes;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A control plane without a local agent, the standalone agent in Kubernetes mode and a fake Kubernetes API
/// server (no real one runs here): the cluster's GPU node registers with the control plane, and a one-step run
/// completes because the fake kubelet runs the step's pod to success.</summary>
public sealed class KubernetesExecutorTests
{
    [Fact]
    public async Task OneStepRun_CompletesAsAPodOnTheClustersGpuNode()
    {
        await using var api = await FakeKubernetesApi.StartAsync();
        api.PutNode(FakeKubernetesApi.GpuNode("k8s-gpu-1", 2, new() { ["zone"] = "cluster" }));
        api.CompleteEveryPod("hello from the pod\n");
        await using var server = await ServerProcess.StartAsync("--agent", "false");
        await using var agent = ChildProcess.StartDotnet(Repo.AgentDll,
        [
            "--executor", "kubernetes", "--gateway", server.GrpcAddress, "--kube-api-server", api.Address, "--namespace", "ml",
            "--work-dir", RunControlTests.TempDir(),
        ]);
        await server.WaitForNodeAsync("k8s-gpu-1");

        await server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            SpecYaml = """
                name: on-kubernetes
                steps:
                  - name: train
                    image: pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime
                    resources: {gpus: 1}
                    command: [python, -c, 'print("hello")']
                """,
        });
        var run = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "on-kubernetes" });
        var done = await Eventually.Until(async () =>
        {
            var r = await server.Runs.GetRunAsync(new GetRunRequest { RunId = run.Id });
            return r.State is RunState.Succeeded or RunState.Failed ? r : null;
        }, TimeSpan.FromSeconds(60), "the run to finish\n" + agent.Output);

        Assert.Equal(RunState.Succeeded, done.State);
        Assert.Equal("k8s-gpu-1", done.Steps.Single().Node);
        Assert.Contains("hello from the pod", await Logs.ReadAsync(server.Runs, run.Id, "train"), StringComparison.Ordinal);
        var pod = Assert.Single(api.Created);
        Assert.Equal("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime", pod.Spec.Containers[0].Image);
        Assert.Equal(1m, pod.Spec.Containers[0].Resources.Limits["nvidia.com/gpu"].ToDecimal());
        var node = (await server.Nodes.ListNodesAsync(new ListNodesRequest())).Nodes.Single(n => n.Name == "k8s-gpu-1");
        Assert.Equal(2, node.Gpus.Count);
        Assert.Equal("cluster", node.Labels["zone"]);
    }
}
