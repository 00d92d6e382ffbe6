using System.Text;

using Microsoft.Extensions.Time.Testing;

using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;
using Orchestrator.Execution.Kubernetes;
using Orchestrator.Testing.Kubernetes;
using Orchestrator.Execution.Processes;
using Orchestrator.Execution.Tests.Support;
using Orchestrator.Execution.Workspaces;

using Xunit.Abstractions;

namespace Orchestrator.Execution.Tests.Kubernetes;

/// <summary>Verifies the pod runner against the fake API server with the real KubernetesClient: the pod it creates
/// (image, command, env, GPUs, node affinity, labels, workspace), its log reaching the step's output, the exit code
/// read through the watch, image pull and scheduling failures with their reason, and deletion on cancel and timeout.
/// Every request the server received must be covered by <see cref="KubernetesExecutorPermissions"/>.</summary>
public sealed class PodStepRunnerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly KubernetesGpuNode Node = KubernetesGpuNode.From(FakeKubernetesApi.GpuNode("gpu-a", 8)).Node!;
    private readonly StringBuilder _log = new();
    private FakeKubernetesApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeKubernetesApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        KubernetesPermissionsTests.AssertCovered(_api.Requests);
    }

    private PodStepRunner Runner(KubernetesExecutorOptions? options = null, TimeProvider? time = null) =>
        new(_api.Client(), "ml", Node, options ?? new KubernetesExecutorOptions { WorkspaceClaim = "orch-work" }, "/var/orch/work",
            TimeSpan.FromSeconds(10), time ?? TimeProvider.System, new TestOutputLogger<PodStepRunner>(output));

    private StepLaunch Launch(string image = "python:3.12-slim", TimeSpan? timeout = null, params int[] gpus)
    {
        var assignment = new StepAssignment
        {
            Step = new StepRef { RunId = "Run 42/x", StepKey = "train", Attempt = 2 },
            Image = image,
            Node = "gpu-a",
        };
        assignment.Command.AddRange(["python", "train.py", "--epochs", "3"]);
        assignment.GpuIndices.AddRange(gpus);
        assignment.Outputs.Add("model");
        var environment = new Dictionary<string, string>
        {
            ["LR"] = "0.01",
            ["ORCH_RUN_ID"] = "Run 42/x",
            ["ORCH_STEP_KEY"] = "train",
            ["CUDA_VISIBLE_DEVICES"] = string.Join(',', gpus),
        };
        return new StepLaunch(assignment.Command, environment, "/var/orch/work/run/train/2", timeout, (_, chunk) =>
        {
            lock (_log) _log.Append(Encoding.UTF8.GetString(chunk.Span));
        })
        { Assignment = assignment, KillGrace = TimeSpan.FromSeconds(7) };
    }

    [Fact]
    public async Task Start_CreatesAPodWithImageCommandEnvGpusAffinityLabelsAndWorkspace()
    {
        var running = await Runner().StartAsync(Launch(gpus: [1, 2]));

        var pod = await _api.CreatedPodAsync();
        var container = Assert.Single(pod.Spec.Containers);
        Assert.Equal("python:3.12-slim", container.Image);
        Assert.Equal(["python", "train.py", "--epochs", "3"], container.Command);
        Assert.Equal("0.01", container.Env.Single(e => e.Name == "LR").Value);
        Assert.Equal("Run 42/x", container.Env.Single(e => e.Name == "ORCH_RUN_ID").Value);
        Assert.DoesNotContain(container.Env, e => e.Name == "CUDA_VISIBLE_DEVICES");
        Assert.Equal(2m, container.Resources.Limits["nvidia.com/gpu"].ToDecimal());
        Assert.Equal(2m, container.Resources.Requests["nvidia.com/gpu"].ToDecimal());
        var term = Assert.Single(pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms);
        var match = Assert.Single(term.MatchExpressions);
        Assert.Equal(("kubernetes.io/hostname", "In", "gpu-a"), (match.Key, match.OperatorProperty, Assert.Single(match.Values)));
        Assert.Equal("Never", pod.Spec.RestartPolicy);
        Assert.Equal(7, pod.Spec.TerminationGracePeriodSeconds);
        Assert.Equal("train", pod.Metadata.Labels[PodNames.StepLabel]);
        Assert.Equal("2", pod.Metadata.Labels[PodNames.AttemptLabel]);
        Assert.Equal("0", pod.Metadata.Labels[PodNames.ReplicaLabel]);
        Assert.Equal(PodNames.LabelValue("Run 42/x"), pod.Metadata.Labels[PodNames.RunLabel]);
        Assert.StartsWith("Run-42-x-", pod.Metadata.Labels[PodNames.RunLabel], StringComparison.Ordinal);
        Assert.Equal("Run 42/x", pod.Metadata.Annotations[PodNames.RunAnnotation]);
        Assert.Equal("orch-work", Assert.Single(pod.Spec.Volumes).PersistentVolumeClaim.ClaimName);
        Assert.Equal("/var/orch/work", Assert.Single(container.VolumeMounts).MountPath);
        Assert.Equal("/var/orch/work/run/train/2", container.WorkingDir);
        Assert.Equal("ml", pod.Metadata.NamespaceProperty);

        await running.CancelAsync(TimeSpan.Zero).Within("the cancelled pod to end");
    }

    [Fact]
    public async Task Start_WithoutGpus_RequestsNoneAndHidesEveryDevice()
    {
        var running = await Runner().StartAsync(Launch());

        var container = (await _api.CreatedPodAsync()).Spec.Containers[0];
        Assert.Null(container.Resources);
        Assert.Equal("", container.Env.Single(e => e.Name == "CUDA_VISIBLE_DEVICES").Value);

        await running.CancelAsync(TimeSpan.Zero).Within("the cancelled pod to end");
    }

    [Fact]
    public async Task Start_StepWithoutImage_IsRefusedNamingTheStepAndTheField()
    {
        var error = await Assert.ThrowsAsync<StepPreparationException>(() => Runner().StartAsync(Launch(image: "")));

        Assert.False(error.IsAgentFault);
        Assert.Contains("step \"train\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no image", error.Message, StringComparison.Ordinal);
        Assert.Contains("image:", error.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Created);
    }

    [Fact]
    public async Task Start_WithOutputsButNoWorkspaceClaim_IsRefusedNamingTheOption()
    {
        var error = await Assert.ThrowsAsync<StepPreparationException>(() => Runner(new KubernetesExecutorOptions()).StartAsync(Launch()));

        Assert.Contains("--workspace-claim", error.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Created);
    }

    [Fact]
    public async Task Logs_ReachTheStepOutput_AndExitCodeZeroSucceeds()
    {
        var running = await Runner().StartAsync(Launch(gpus: [0]));
        var pod = (await _api.CreatedPodAsync()).Metadata.Name;

        _api.Run(pod);
        _api.Log(pod, "epoch 1 loss 0.9\n");
        _api.Log(pod, "epoch 2 loss 0.5\n");
        await Eventually.TrueAsync(() => Text().Contains("epoch 2", StringComparison.Ordinal), "the log to reach the step output");
        _api.Log(pod, "done\n");
        _api.Exit(pod, 0);
        var result = await running.Completion.Within("the pod to end");

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("epoch 1 loss 0.9\nepoch 2 loss 0.5\ndone\n", Text());
        Assert.Contains((pod, 0L), _api.Deletions.Select(d => (d.Pod, d.GracePeriodSeconds ?? -1)));
    }

    [Theory]
    [InlineData(3, null, "exited with code 3")]
    [InlineData(137, "OOMKilled", "killed by signal 9 (SIGKILL) (OOMKilled)")]
    public async Task NonZeroExit_FailsWithTheContainersCode(int exitCode, string? reason, string expected)
    {
        var running = await Runner().StartAsync(Launch());
        var pod = (await _api.CreatedPodAsync()).Metadata.Name;

        _api.Run(pod);
        _api.Exit(pod, exitCode, reason);
        var result = await running.Completion.Within("the pod to end");

        Assert.False(result.Succeeded);
        Assert.False(result.Cancelled || result.TimedOut);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal(expected, result.Message);
    }

    [Fact]
    public async Task ImagePullBackOff_FailsWithTheReason_AndDeletesThePod()
    {
        var running = await Runner().StartAsync(Launch(image: "registry.example/missing:1"));
        var pod = (await _api.CreatedPodAsync()).Metadata.Name;

        _api.Wait(pod, "ImagePullBackOff", "Back-off pulling image \"registry.example/missing:1\"");
        var result = await running.Completion.Within("the pod to fail");

        Assert.False(result.Succeeded);
        Assert.Equal(-1, result.ExitCode);
        Assert.Contains("could not start its container: ImagePullBackOff (image \"registry.example/missing:1\"): Back-off pulling image", result.Message, StringComparison.Ordinal);
        Assert.Null(_api.Pod(pod));
    }

    [Fact]
    public async Task Unschedulable_PastItsPatience_FailsWithTheSchedulersMessage()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new KubernetesExecutorOptions { WorkspaceClaim = "orch-work", UnschedulableTimeout = TimeSpan.FromSeconds(60) };
        var running = await Runner(options, time).StartAsync(Launch(gpus: [0]));
        var pod = (await _api.CreatedPodAsync()).Metadata.Name;

        _api.Unschedulable(pod, "0/3 nodes are available: 1 Insufficient nvidia.com/gpu.");
        await Eventually.TrueAsync(() => { time.Advance(TimeSpan.FromSeconds(61)); return running.Completion.IsCompleted; }, "the unschedulable pod to be given up");
        var result = await running.Completion;

        Assert.False(result.Succeeded);
        Assert.Contains("could not be scheduled within 60 s: 0/3 nodes are available: 1 Insufficient nvidia.com/gpu.", result.Message, StringComparison.Ordinal);
        Assert.Null(_api.Pod(pod));
    }

    [Fact]
    public async Task Cancel_DeletesThePodWithTheGracePeriod()
    {
        var running = await Runner().StartAsync(Launch());
        var pod = (await _api.CreatedPodAsync()).Metadata.Name;
        _api.Run(pod);

        var result = await running.CancelAsync(TimeSpan.FromSeconds(12)).Within("the cancelled pod to end");

        Assert.True(result.Cancelled);
        Assert.False(result.Succeeded);
        Assert.Equal((pod, 12L), _api.Deletions.First());
        Assert.StartsWith($"cancelled; pod {pod} deleted with a grace of 12 s", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_DeletesThePodWithTheKillGrace()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var running = await Runner(time: time).StartAsync(Launch(timeout: TimeSpan.FromMinutes(5)));
        var pod = (await _api.CreatedPodAsync()).Metadata.Name;
        _api.Run(pod);

        time.Advance(TimeSpan.FromMinutes(5));
        var result = await running.Completion.Within("the timed-out pod to end");

        Assert.True(result.TimedOut);
        Assert.Equal((pod, 7L), _api.Deletions.First());
        Assert.StartsWith($"timed out after 300 s; pod {pod} deleted with a grace of 7 s", result.Message, StringComparison.Ordinal);
    }

    private string Text()
    {
        lock (_log) return _log.ToString();
    }
}
