namespace Orchestrator.Execution.Kubernetes;

/// <summary>Where the Kubernetes executor finds its API server and how it shapes the pods it creates.</summary>
public sealed class KubernetesExecutorOptions
{
    /// <summary>Namespace the step pods are created in. Default: the agent's own namespace when it runs in a cluster,
    /// else "default".</summary>
    public string? Namespace { get; set; }

    /// <summary>A kubeconfig file to use; null uses the in-cluster service account when in a cluster, else
    /// <c>$KUBECONFIG</c> or <c>~/.kube/config</c>.</summary>
    public string? KubeconfigPath { get; set; }

    /// <summary>An API server URL to talk to without credentials (e.g. <c>kubectl proxy</c> at http://127.0.0.1:8001);
    /// overrides <see cref="KubeconfigPath"/>. Default: null.</summary>
    public string? ApiServer { get; set; }

    /// <summary>A PersistentVolumeClaim holding the agent's work directory, mounted in every step pod at the same path,
    /// so that the agent writes inputs and reads outputs where the pod sees them. Null (the default): pods get no
    /// workspace, and a step with inputs or outputs is refused.</summary>
    public string? WorkspaceClaim { get; set; }

    /// <summary>How long a pod may stay unschedulable before the attempt fails (a previous pod may still be releasing
    /// its GPUs). Default: 60 s.</summary>
    public TimeSpan UnschedulableTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The delay before re-opening a node or pod watch the server closed or broke. Default: 1 s.</summary>
    public TimeSpan WatchRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Problems that make these options unusable, each naming the option and the fix.</summary>
    public IEnumerable<string> Problems()
    {
        if (Namespace is { } ns && !PodNames.IsDnsLabel(ns))
        {
            yield return $"Namespace: \"{ns}\" is not a namespace name: use 1-63 lowercase letters, digits and '-' (e.g. --namespace orchestrator)";
        }
        if (WorkspaceClaim is { } claim && !PodNames.IsDnsSubdomain(claim))
        {
            yield return $"WorkspaceClaim: \"{claim}\" is not a PersistentVolumeClaim name: use lowercase letters, digits, '-' and '.' (e.g. --workspace-claim orch-workspaces)";
        }
        if (KubeconfigPath is { } path && !File.Exists(path))
        {
            yield return $"KubeconfigPath: {path} does not exist; give an existing kubeconfig file, or leave --kubeconfig out to use the in-cluster service account";
        }
        if (ApiServer is { } server && (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            yield return $"ApiServer: \"{server}\" is not an http:// or https:// URL, e.g. http://127.0.0.1:8001 (kubectl proxy)";
        }
        if (UnschedulableTimeout < TimeSpan.Zero) yield return $"UnschedulableTimeout: {UnschedulableTimeout} must not be negative";
        if (WatchRetryDelay <= TimeSpan.Zero) yield return $"WatchRetryDelay: {WatchRetryDelay} must be positive";
    }
}
