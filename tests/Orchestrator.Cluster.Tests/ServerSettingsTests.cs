using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.Cluster.Tests;

/// <summary>The server refuses cluster settings it cannot use at start, with a message naming the setting, its switch and the fix.</summary>
public sealed class ServerSettingsTests
{
    [Theory]
    [InlineData(new[] { "--profile", "redis" }, "Orchestrator:Redis (--redis) is required by the redis profile")]
    [InlineData(new[] { "--profile", "cloud" }, "Orchestrator:Profile (--profile) 'cloud' is not embedded or redis")]
    [InlineData(new[] { "--profile", "redis", "--redis", "127.0.0.1:6379", "--silo-address", "0.0.0.0" }, "Orchestrator:SiloAddress (--silo-address) '0.0.0.0' is not an address other silos can reach")]
    [InlineData(new[] { "--profile", "redis", "--redis", ",,," }, "Orchestrator:Redis (--redis) ',,,' names no server")]
    public async Task Start_WithBadClusterSettings_ExitsNamingTheSetting(string[] arguments, string message)
    {
        var ports = FreePorts.Take(4).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await using var server = ChildProcess.StartDotnet(Repo.ServerDll,
            ["--data-dir", Path.Combine(Path.GetTempPath(), "orch-bad-" + Guid.NewGuid().ToString("N")[..8]),
             "--grpc-port", ports[0], "--http-port", ports[1], "--silo-port", ports[2], "--gateway-port", ports[3], .. arguments]);

        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exit);
        Assert.Contains(message, server.Output, StringComparison.Ordinal);
    }
}
