using k8s;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Orchestrator.Execution.Agent;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>Registers the Kubernetes executor with a host (<c>Orchestrator.Agent --executor kubernetes</c>).</summary>
public static class KubernetesExecutorServiceCollectionExtensions
{
    /// <summary>Adds <see cref="KubernetesAgentHost"/> as a hosted service: the agent options say which gateways to
    /// connect to and where the work directory is; the executor options say how to reach the API server.</summary>
    public static IServiceCollection AddKubernetesExecutor(this IServiceCollection services, Action<AgentOptions> configureAgent,
        Action<KubernetesExecutorOptions> configureExecutor)
    {
        ArgumentNullException.ThrowIfNull(configureAgent);
        ArgumentNullException.ThrowIfNull(configureExecutor);
        services.AddOptions<AgentOptions>().Configure(configureAgent);
        services.AddOptions<KubernetesExecutorOptions>().Configure(configureExecutor);
        if (services.Any(d => d.ServiceType == typeof(KubernetesAgentHost))) return services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => KubernetesConnection.Configuration(sp.GetRequiredService<IOptions<KubernetesExecutorOptions>>().Value));
        services.TryAddSingleton<IKubernetes>(sp => new k8s.Kubernetes(sp.GetRequiredService<KubernetesClientConfiguration>()));
        services.AddSingleton(sp => new KubernetesAgentHost(
            sp.GetRequiredService<IOptions<AgentOptions>>(),
            sp.GetRequiredService<IOptions<KubernetesExecutorOptions>>(),
            sp.GetRequiredService<IKubernetes>(),
            KubernetesConnection.Namespace(sp.GetRequiredService<IOptions<KubernetesExecutorOptions>>().Value, sp.GetRequiredService<KubernetesClientConfiguration>()),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesAgentHost>());
        return services;
    }
}
