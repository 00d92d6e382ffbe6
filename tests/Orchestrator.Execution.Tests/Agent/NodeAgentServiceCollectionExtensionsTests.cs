using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

using Orchestrator.Execution.Agent;
using Orchestrator.Execution.Gpus;

namespace Orchestrator.Execution.Tests.Agent;

/// <summary>Verifies the DI wiring the standalone agent and the embedded server share: one hosted agent, GPU discovery
/// chosen from the options, and invalid options stopping the host at start with the validator's message.</summary>
public sealed class NodeAgentServiceCollectionExtensionsTests
{
    private static IHost Build(Action<AgentOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Services.AddNodeAgent(configure);
        builder.Services.AddNodeAgent(_ => { });
        return builder.Build();
    }

    [Fact]
    public void AddNodeAgent_Twice_RegistersOneHostedAgentWithSimulatedGpusWhenAsked()
    {
        using var host = Build(o =>
        {
            o.Gateways.Add("http://127.0.0.1:1");
            o.NodeName = "n1";
            o.SimulatedGpus = 2;
        });

        var hosted = host.Services.GetServices<IHostedService>().OfType<AgentRuntime>().ToList();
        Assert.Same(host.Services.GetRequiredService<AgentRuntime>(), Assert.Single(hosted));
        Assert.IsType<SimulatedGpus>(host.Services.GetRequiredService<IGpuDiscovery>());
        Assert.Equal("n1", hosted[0].NodeName);
    }

    [Fact]
    public void AddNodeAgent_WithoutSimulation_UsesNvidiaSmi()
    {
        using var host = Build(o => o.Gateways.Add("http://127.0.0.1:1"));

        Assert.IsType<NvidiaSmiGpuDiscovery>(host.Services.GetRequiredService<IGpuDiscovery>());
    }

    [Fact]
    public async Task HostStart_WithInvalidOptions_FailsWithTheValidatorsMessage()
    {
        using var host = Build(o => o.NodeName = "n1");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.StartsWith("Gateways: no gateway address", StringComparison.Ordinal));
    }
}
