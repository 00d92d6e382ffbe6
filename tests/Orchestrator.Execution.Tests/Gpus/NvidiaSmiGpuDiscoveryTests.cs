using Orchestrator.Execution.Gpus;
using Orchestrator.Execution.Tests.Support;

namespace Orchestrator.Execution.Tests.Gpus;

/// <summary>Verifies that GPU discovery runs nvidia-smi as a real process (a stand-in script printing real H200 output),
/// asks for the right fields, and degrades to "no GPUs" when the binary is missing, fails or hangs.</summary>
public sealed class NvidiaSmiGpuDiscoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string FakeNvidiaSmi(string fixture)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Fixtures", "nvidia-smi", fixture);
        return _dir.Script("nvidia-smi", $"echo \"$@\" > '{_dir.Combine("args")}'\ncat '{source}'");
    }

    [Fact]
    public async Task DiscoverAsync_WithH200Output_RegistersTheGpuAndQueriesTheAgentsFields()
    {
        var discovery = new NvidiaSmiGpuDiscovery(executable: FakeNvidiaSmi("query_idle.csv"));

        var gpus = await discovery.DiscoverAsync();

        Assert.Equal(new GpuInfo(0, "GPU-48a35ae5-26cc-b221-0dfe-8d39c03f25ad", "NVIDIA H200", 143771L << 20, false), Assert.Single(gpus));
        var args = File.ReadAllText(_dir.Combine("args"));
        Assert.Contains($"--query-gpu={NvidiaSmiCsv.QueryFields}", args);
        Assert.Contains("--format=csv,nounits", args);
    }

    [Fact]
    public async Task SampleAsync_WhileBusy_ReportsUtilizationAndMemoryUsed()
    {
        var discovery = new NvidiaSmiGpuDiscovery(executable: FakeNvidiaSmi("query_busy.csv"));

        var samples = await discovery.SampleAsync(new HashSet<int>());

        Assert.Equal(new GpuUtilizationSample(0, 1.0, 1011L << 20), Assert.Single(samples));
    }

    [Fact]
    public async Task DiscoverAsync_WithoutTheBinary_FindsNoGpusAndDoesNotThrow()
    {
        var discovery = new NvidiaSmiGpuDiscovery(executable: "nvidia-smi-that-does-not-exist-" + Guid.NewGuid().ToString("N"));

        Assert.Empty(await discovery.DiscoverAsync());
        Assert.Empty(await discovery.SampleAsync(new HashSet<int>()));
    }

    [Fact]
    public async Task DiscoverAsync_WhenTheDriverFails_FindsNoGpus()
    {
        var script = _dir.Script("nvidia-smi", "echo 'NVIDIA-SMI has failed because it could not communicate with the driver' >&2\nexit 9");

        Assert.Empty(await new NvidiaSmiGpuDiscovery(executable: script).DiscoverAsync());
    }

    [Fact]
    public async Task DiscoverAsync_WhenTheBinaryHangs_GivesUpAfterTheTimeoutAndKillsIt()
    {
        var pidFile = _dir.Combine("pid");
        var script = _dir.Script("nvidia-smi", $"echo $$ > '{pidFile}'\nexec sleep 300");
        var discovery = new NvidiaSmiGpuDiscovery(executable: script, timeout: TimeSpan.FromMilliseconds(300));

        var gpus = await discovery.DiscoverAsync().Within("discovery to give up on a hanging nvidia-smi");

        Assert.Empty(gpus);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => UnixProcesses.IsGone(pid), "the hanging nvidia-smi is killed");
    }
}
