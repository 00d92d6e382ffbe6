using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Orchestrator.Execution.Gpus;

namespace Orchestrator.Execution.Agent;

/// <summary>Registers the node agent with a host (the standalone agent and the embedded server use the same call).</summary>
public static class NodeAgentServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AgentRuntime"/> as a hosted service with its options (validated at start), GPU discovery
    /// (simulated when <see cref="AgentOptions.SimulatedGpus"/> is set, else nvidia-smi) and a <see cref="TimeProvider"/>.
    /// Calling it again only adds another configuration step.</summary>
    public static IServiceCollection AddNodeAgent(this IServiceCollection services, Action<AgentOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AgentOptions>().Configure(configure).ValidateOnStart();
        if (services.Any(d => d.ServiceType == typeof(AgentRuntime))) return services;
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGpuDiscovery>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            return options.SimulatedGpus > 0
                ? new SimulatedGpus(options.NodeName, options.SimulatedGpus, options.SimulatedGpuModel, options.SimulatedGpuMemoryBytes)
                : new NvidiaSmiGpuDiscovery(sp.GetService<ILogger<NvidiaSmiGpuDiscovery>>());
        });
        services.AddSingleton<AgentRuntime>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentRuntime>());
        return services;
    }
}
