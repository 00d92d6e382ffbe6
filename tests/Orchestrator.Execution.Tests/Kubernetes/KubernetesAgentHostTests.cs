using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Agent;
using Orchestrator.Execution.Kubernetes;
using Orchestrator.Testing.Kubernetes;
using Orchestrator.Execution.Tests.Support;

using Xunit.Abstractions;

namespace Orchestrator.Execution.Tests.Kubernetes;

/// <summary>Verifies the Kubernetes executor as an agent, end to end through real gRPC and the real KubernetesClient:
/// one gateway session per GPU node (its name, GPUs and labels), an assigned step run as a pod pinned to that node
/// whose log and exit reach the gateway, and a session ending when its node goes away.</summary>
public sealed class KubernetesAgentHostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private FakeKubernetesApi _api = null!;
    private FakeGateway _gateway = null!;
    private readonly ILoggerFactory _loggers = LoggerFactory.Create(b => b.AddProvider(new TestOutputLoggerProvider(output)));
    private KubernetesAgentHost? _host;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync();
        _gateway = await FakeGateway.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _host.StopAsync(stop.Token);
            _host.Dispose();
        }
        await _gateway.DisposeAsync();
        await _api.DisposeAsync();
        _dir.Dispose();
        _loggers.Dispose();
        KubernetesPermissionsTests.AssertCovered(_api.Requests);
    }

    private async Task<KubernetesAgentHost> StartAsync()
    {
        var agent = new AgentOptions { WorkDirectory = _dir.Combine("work"), FinalAckWait = TimeSpan.FromMilliseconds(200), KillGrace = TimeSpan.FromSeconds(3) };
        agent.Gateways.Add(_gateway.Address);
        agent.Labels["pool"] = "k8s";
        var options = new KubernetesExecutorOptions { WatchRetryDelay = TimeSpan.FromMilliseconds(50) };
        _host = new KubernetesAgentHost(Options.Create(agent), Options.Create(options), _api.Client(), "ml", _loggers, TimeProvider.System);
        await _host.StartAsync(CancellationToken.None);
        return _host;
    }

    [Fact]
    public async Task EachGpuNode_RegistersItsOwnSession_WithItsGpusAndLabels()
    {
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-a", 8, new() { ["zone"] = "eu-1" }));
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-b", 2));
        await StartAsync();

        var first = await _gateway.NextConnectionAsync();
        var second = await _gateway.NextConnectionAsync();
        await first.WaitForAsync(m => m.Register is not null, "register");
        await second.WaitForAsync(m => m.Register is not null, "register");
        var registrations = new[] { first.Registration, second.Registration }.OrderBy(r => r.Node, StringComparer.Ordinal).ToList();

        Assert.Equal(["gpu-a", "gpu-b"], registrations.Select(r => r.Node));
        Assert.Equal([8, 2], registrations.Select(r => r.Gpus.Count));
        Assert.Equal("eu-1", registrations[0].Labels["zone"]);
        Assert.Equal("k8s", registrations[1].Labels["pool"]);
        Assert.Equal("NVIDIA-H100-80GB-HBM3", registrations[0].Gpus[0].Model);
        Assert.False(registrations[0].Gpus[0].Simulated);
        Assert.Equal(32_000, registrations[0].CpuMillis);
    }

    [Fact]
    public async Task AssignedStep_RunsAsAPodOnItsNode_AndItsLogAndSuccessReachTheGateway()
    {
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-a", 4));
        await StartAsync();
        var connection = await _gateway.NextConnectionAsync();
        await connection.WaitForAsync(m => m.Register is not null, "register");
        var step = new StepRef { RunId = "run-1", StepKey = "train", Attempt = 1 };
        var assignment = new StepAssignment { Step = step, Node = "gpu-a", Image = "busybox:1.36" };
        assignment.Command.AddRange(["sh", "-c", "echo hello"]);
        assignment.GpuIndices.AddRange([0, 1]);

        await connection.AssignAsync(assignment);
        var pod = await _api.CreatedPodAsync();
        await connection.StartedAsync(step);
        _api.Run(pod.Metadata.Name);
        _api.Log(pod.Metadata.Name, "hello from the pod\n");
        _api.Exit(pod.Metadata.Name, 0);
        var finished = await connection.FinishedAsync(step);

        Assert.Equal(StepOutcome.Succeeded, finished.Outcome);
        Assert.Equal("gpu-a", pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Values[0]);
        Assert.Equal(2m, pod.Spec.Containers[0].Resources.Limits["nvidia.com/gpu"].ToDecimal());
        Assert.Equal("gpu-a", pod.Spec.Containers[0].Env.Single(e => e.Name == "ORCH_NODE").Value);
        Assert.Equal("hello from the pod\n", connection.LogText(step, LogStream.Stdout));
    }

    [Fact]
    public async Task AssignedStepWithoutImage_FailsNamingTheStepAndTheField()
    {
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-a", 4));
        await StartAsync();
        var connection = await _gateway.NextConnectionAsync();
        await connection.WaitForAsync(m => m.Register is not null, "register");
        var step = new StepRef { RunId = "run-1", StepKey = "prep", Attempt = 1 };
        var assignment = new StepAssignment { Step = step, Node = "gpu-a" };
        assignment.Command.AddRange(["python", "prep.py"]);

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(step);

        Assert.Equal(StepOutcome.Failed, finished.Outcome);
        Assert.Contains("step \"prep\" of run run-1 has no image", finished.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Created);
    }

    [Fact]
    public async Task NodeDeleted_EndsItsSession()
    {
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-a", 4));
        var host = await StartAsync();
        var connection = await _gateway.NextConnectionAsync();
        await connection.WaitForAsync(m => m.Register is not null, "register");

        _api.DeleteNode("gpu-a");

        await Eventually.TrueAsync(() => host.Sessions.Count == 0, "the session of the deleted node to end");
        await Eventually.TrueAsync(() => connection.Ended, "the gateway to see the stream close");
    }
}
