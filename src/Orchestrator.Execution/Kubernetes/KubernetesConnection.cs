using k8s;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>Builds the API client and picks the namespace from <see cref="KubernetesExecutorOptions"/>.</summary>
public static class KubernetesConnection
{
    private const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>The client configuration: <see cref="KubernetesExecutorOptions.ApiServer"/>, else the kubeconfig file,
    /// else the in-cluster service account, else <c>$KUBECONFIG</c> or <c>~/.kube/config</c>.</summary>
    public static KubernetesClientConfiguration Configuration(KubernetesExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ApiServer is { } server) return new KubernetesClientConfiguration { Host = server };
        if (options.KubeconfigPath is { } path) return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildDefaultConfig();
    }

    /// <summary>The namespace step pods go to: the option, else the kubeconfig context's, else the service account's, else "default".</summary>
    public static string Namespace(KubernetesExecutorOptions options, KubernetesClientConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        if (options.Namespace is { Length: > 0 } ns) return ns;
        if (configuration.Namespace is { Length: > 0 } configured) return configured;
        if (File.Exists(ServiceAccountNamespaceFile)) return File.ReadAllText(ServiceAccountNamespaceFile).Trim();
        return "default";
    }
}
