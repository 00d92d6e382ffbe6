using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Tests.Support;
using Orchestrator.Testing.Kubernetes;

namespace Orchestrator.Execution.Tests.Kubernetes;

/// <summary>Verifies the standalone agent executable in Kubernetes mode (<c>--executor kubernetes</c>) as a real
/// process: it registers the cluster's GPU node with a gateway and runs an assigned step as a pod that the test's
/// fake kubelet completes; options that do not apply to the mode are refused with a clear message.</summary>
public sealed class KubernetesAgentExecutableTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private FakeGateway _gateway = null!;
    private FakeKubernetesApi _api = null!;

    public async Task InitializeAsync()
    {
        _gateway = await FakeGateway.StartAsync();
        _api = await FakeKubernetesApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _api.DisposeAsync();
        _dir.Dispose();
        KubernetesPermissionsTests.AssertCovered(_api.Requests);
    }

    [Fact]
    public async Task KubernetesMode_RegistersTheGpuNode_AndAStepRunsAsAPodToSuccess()
    {
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-a", 2, new() { ["zone"] = "eu-1" }));
        using var agent = AgentExecutable.Start(_dir.Path, "--executor", "kubernetes", "--gateway", _gateway.Address,
            "--kube-api-server", _api.Address, "--namespace", "ml", "--work-dir", _dir.Combine("work"));

        var connection = await _gateway.NextConnectionAsync();
        await connection.WaitForAsync(m => m.Register is not null, $"register (agent output: {agent.Output})");
        Assert.Equal("gpu-a", connection.Registration.Node);
        Assert.Equal(2, connection.Registration.Gpus.Count);
        Assert.Equal("eu-1", connection.Registration.Labels["zone"]);

        var step = new StepRef { RunId = "run-7", StepKey = "train", Attempt = 1 };
        var assignment = new StepAssignment { Step = step, Node = "gpu-a", Image = "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime" };
        assignment.Command.AddRange(["python", "-c", "print('trained')"]);
        assignment.GpuIndices.Add(0);
        await connection.AssignAsync(assignment);
        var pod = await _api.CreatedPodAsync();
        _api.Run(pod.Metadata.Name);
        _api.Log(pod.Metadata.Name, "trained\n");
        _api.Exit(pod.Metadata.Name, 0);
        var finished = await connection.FinishedAsync(step);

        Assert.Equal(StepOutcome.Succeeded, finished.Outcome);
        Assert.Equal("ml", pod.Metadata.NamespaceProperty);
        Assert.Equal("trained\n", connection.LogText(step, LogStream.Stdout));
    }

    [Theory]
    [InlineData("--simulate-gpus", "2", "--simulate-gpus does not apply to --executor kubernetes")]
    [InlineData("--namespace", "Bad_NS", "Namespace: \"Bad_NS\" is not a namespace name")]
    public async Task KubernetesMode_WithAnOptionThatCannotWork_IsRefusedNamingIt(string option, string value, string expected)
    {
        using var agent = AgentExecutable.Start(_dir.Path, "--executor", "kubernetes", "--gateway", _gateway.Address,
            "--kube-api-server", _api.Address, option, value);

        await agent.Process.WaitForExitAsync().WaitAsync(Eventually.DefaultTimeout);

        Assert.NotEqual(0, agent.Process.ExitCode);
        Assert.Contains(expected, agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessMode_WithAKubernetesOption_IsRefusedNamingIt()
    {
        using var agent = AgentExecutable.Start(_dir.Path, "--gateway", _gateway.Address, "--workspace-claim", "work");

        await agent.Process.WaitForExitAsync().WaitAsync(Eventually.DefaultTimeout);

        Assert.NotEqual(0, agent.Process.ExitCode);
        Assert.Contains("--workspace-claim applies only to --executor kubernetes", agent.Output, StringComparison.Ordinal);
    }
}
