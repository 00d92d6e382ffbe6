namespace Orchestrator.Server.Hosting;

/// <summary>Every Kubernetes API permission the server's code needs, in one place: the manifests under
/// <c>deploy/kubernetes</c> grant exactly their union (a test checks it), and the executor's tests check that every
/// request it makes is covered by <see cref="Executor"/>.</summary>
public static class KubernetesPermissions
{
    // Resources that live outside any namespace: granted by a ClusterRole.
    private static readonly HashSet<string> ClusterScoped = ["nodes"];

    /// <summary>Orleans' Kubernetes hosting (<c>KubernetesClusterAgent</c> in Microsoft.Orleans.Hosting.Kubernetes 10.4.2):
    /// reads its own pod, patches its cluster-id labels onto it, lists and watches the cluster's pods. It deletes pods
    /// only with <c>DeleteDefunctSiloPods</c>, which stays off.</summary>
    public static IReadOnlyList<KubernetesPermission> OrleansHosting { get; } =
    [
        new("", "pods", ["get", "list", "watch", "patch"], KubernetesScope.Namespaced),
    ];

    /// <summary>The Kubernetes executor (<see cref="Execution.Kubernetes.KubernetesExecutorPermissions"/>, which its tests
    /// check every request against): a pod per step (create, follow, delete on cancel), its log, and the GPU nodes.</summary>
    public static IReadOnlyList<KubernetesPermission> Executor { get; } =
    [
        .. Execution.Kubernetes.KubernetesExecutorPermissions.Required.Select(p =>
            new KubernetesPermission(p.ApiGroup, p.Resource, p.Verbs, ClusterScoped.Contains(p.Resource) ? KubernetesScope.Cluster : KubernetesScope.Namespaced)),
    ];

    /// <summary>Both lists, one entry per verb: what the manifests must grant, no more and no less.</summary>
    public static IReadOnlySet<KubernetesAccess> All { get; } = OrleansHosting.Concat(Executor)
        .SelectMany(p => p.Verbs.Select(v => new KubernetesAccess(p.ApiGroup, p.Resource, v, p.Scope)))
        .ToHashSet();

    /// <summary>True when one of <paramref name="permissions"/> grants <paramref name="access"/>.</summary>
    public static bool Allows(this IEnumerable<KubernetesPermission> permissions, KubernetesAccess access) =>
        permissions.Any(p => p.Allows(access));
}
