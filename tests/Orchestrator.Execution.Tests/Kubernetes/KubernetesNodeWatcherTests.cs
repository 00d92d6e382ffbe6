using Orchestrator.Execution.Kubernetes;
using Orchestrator.Testing.Kubernetes;
using Orchestrator.Execution.Tests.Support;

using Xunit.Abstractions;

namespace Orchestrator.Execution.Tests.Kubernetes;

/// <summary>Verifies GPU node discovery from the Node API against the fake API server: allocatable GPUs, labels, CPU
/// and memory are read; nodes without GPUs, cordoned or not Ready take no steps; the watch adds and removes nodes.</summary>
public sealed class KubernetesNodeWatcherTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private FakeKubernetesApi _api = null!;
    private Task _watching = Task.CompletedTask;

    public async Task InitializeAsync() => _api = await FakeKubernetesApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching.WaitAsync(Eventually.DefaultTimeout);
        await _api.DisposeAsync();
        _stop.Dispose();
        KubernetesPermissionsTests.AssertCovered(_api.Requests);
    }

    private KubernetesNodeWatcher Watch()
    {
        var watcher = new KubernetesNodeWatcher(_api.Client(), new KubernetesExecutorOptions { WatchRetryDelay = TimeSpan.FromMilliseconds(50) },
            TimeProvider.System, new TestOutputLogger<KubernetesNodeWatcher>(output));
        _watching = watcher.RunAsync(_stop.Token);
        return watcher;
    }

    private static string Names(KubernetesNodeWatcher watcher) => string.Join(",", watcher.Nodes.Select(n => $"{n.Name}:{n.Gpus}"));

    [Fact]
    public async Task Discovery_ReadsGpuNodesWithCountsLabelsAndCapacity_AndSkipsTheRest()
    {
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-a", 8, new() { ["zone"] = "eu-1" }));
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-b", 4));
        _api.PutNode(FakeKubernetesApi.GpuNode("cpu-only", 0));
        _api.PutNode(FakeKubernetesApi.GpuNode("cordoned", 8, cordoned: true));
        _api.PutNode(FakeKubernetesApi.GpuNode("not-ready", 8, ready: false));

        var watcher = Watch();
        await Eventually.TrueAsync(() => Names(watcher) == "gpu-a:8,gpu-b:4", "the two GPU nodes to be discovered");

        var a = watcher.Nodes[0];
        Assert.Equal("eu-1", a.Labels["zone"]);
        Assert.Equal("NVIDIA-H100-80GB-HBM3", a.GpuModel);
        Assert.Equal(81559L * 1024 * 1024, a.GpuMemoryBytes);
        Assert.Equal(32_000, a.CpuMillis);
        Assert.Equal(256L << 30, a.MemoryBytes);
        Assert.Equal("gpu-a", a.HostnameLabel);
        Assert.StartsWith("10.0.0.", a.Address, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_AddsANewNode_RemovesADeletedOne_AndOneThatIsCordoned()
    {
        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-a", 8));
        var watcher = Watch();
        var gone = new List<string>();
        watcher.NodeGone += (name, reason) =>
        {
            lock (gone) gone.Add($"{name}: {reason}");
        };
        await Eventually.TrueAsync(() => Names(watcher) == "gpu-a:8", "gpu-a to be discovered");

        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-b", 2));
        await Eventually.TrueAsync(() => Names(watcher) == "gpu-a:8,gpu-b:2", "gpu-b to be added by the watch");

        _api.DeleteNode("gpu-a");
        await Eventually.TrueAsync(() => Names(watcher) == "gpu-b:2", "gpu-a to be removed by the watch");

        _api.PutNode(FakeKubernetesApi.GpuNode("gpu-b", 2, cordoned: true));
        await Eventually.TrueAsync(() => Names(watcher) == "", "the cordoned gpu-b to be removed");

        lock (gone) Assert.Equal(["gpu-a: it was deleted", "gpu-b: it is cordoned (unschedulable)"], gone);
    }
}
