namespace Orchestrator.Execution.Kubernetes;

/// <summary>One rule of a Kubernetes Role: the verbs allowed on a resource of an API group ("" is the core group).</summary>
/// <param name="ApiGroup">The API group; "" for the core group (pods, nodes).</param>
/// <param name="Resource">The resource, with a subresource after '/' (<c>pods/log</c>).</param>
/// <param name="Verbs">The verbs allowed (get, list, watch, create, delete, ...).</param>
public sealed record KubernetesPermission(string ApiGroup, string Resource, IReadOnlyList<string> Verbs)
{
    /// <summary>True when this rule allows <paramref name="verb"/> on <paramref name="resource"/> of <paramref name="apiGroup"/>.</summary>
    public bool Allows(string apiGroup, string resource, string verb) =>
        ApiGroup == apiGroup && Resource == resource && Verbs.Contains(verb, StringComparer.Ordinal);
}
