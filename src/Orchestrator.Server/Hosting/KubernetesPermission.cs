namespace Orchestrator.Server.Hosting;

/// <summary>Where a Kubernetes permission applies: inside the server's namespace (a Role) or cluster-wide (a ClusterRole).</summary>
public enum KubernetesScope
{
    /// <summary>Granted by a Role in the server's namespace.</summary>
    Namespaced,

    /// <summary>Granted by a ClusterRole, for resources that belong to no namespace (nodes).</summary>
    Cluster,
}

/// <summary>One RBAC rule the code needs: verbs on a resource of an API group (<c>""</c> is the core group).</summary>
/// <param name="ApiGroup">The API group; empty for core (<c>v1</c>) resources.</param>
/// <param name="Resource">The resource, with its subresource after a slash (<c>pods/log</c>).</param>
/// <param name="Verbs">The RBAC verbs: get, list, watch, create, update, patch, delete.</param>
/// <param name="Scope">Namespaced or cluster-wide.</param>
public sealed record KubernetesPermission(string ApiGroup, string Resource, IReadOnlyList<string> Verbs, KubernetesScope Scope)
{
    /// <summary>True when this rule grants <paramref name="access"/>.</summary>
    public bool Allows(KubernetesAccess access) =>
        access.ApiGroup == ApiGroup && access.Resource == Resource && access.Scope == Scope && Verbs.Contains(access.Verb);
}
