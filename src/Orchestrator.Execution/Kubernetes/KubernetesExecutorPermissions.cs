namespace Orchestrator.Execution.Kubernetes;

/// <summary>Exactly what the Kubernetes executor asks of the API server. The RBAC manifests grant this list and no more;
/// the executor's tests check that every request it makes is covered, so the list cannot go stale.</summary>
public static class KubernetesExecutorPermissions
{
    /// <summary>The rules: pods (create, get, list, watch, delete) and their logs in the executor's namespace; nodes
    /// (get, list, watch) cluster-wide, for GPU discovery.</summary>
    public static IReadOnlyList<KubernetesPermission> Required { get; } =
    [
        new("", "pods", ["create", "get", "list", "watch", "delete"]),
        new("", "pods/log", ["get"]),
        new("", "nodes", ["get", "list", "watch"]),
    ];

    /// <summary>True when <see cref="Required"/> allows <paramref name="verb"/> on <paramref name="resource"/> of <paramref name="apiGroup"/>.</summary>
    public static bool Covers(string apiGroup, string resource, string verb) =>
        Required.Any(p => p.Allows(apiGroup, resource, verb));
}
