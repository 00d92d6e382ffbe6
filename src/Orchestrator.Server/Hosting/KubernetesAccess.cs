namespace Orchestrator.Server.Hosting;

/// <summary>One thing a request asks the Kubernetes API server to do, in RBAC terms.</summary>
/// <param name="ApiGroup">The API group; empty for core resources.</param>
/// <param name="Resource">The resource, with its subresource after a slash (<c>pods/log</c>).</param>
/// <param name="Verb">The RBAC verb the API server checks.</param>
/// <param name="Scope">Namespaced or cluster-wide.</param>
public sealed record KubernetesAccess(string ApiGroup, string Resource, string Verb, KubernetesScope Scope)
{
    /// <summary>The RBAC verb and resource of an HTTP request to the API server, the way the API server derives them
    /// (<c>GET /api/v1/namespaces/demo/pods?watch=true</c> is <c>watch pods</c>); null for a path that names no resource.</summary>
    public static KubernetesAccess? FromRequest(string method, string pathAndQuery)
    {
        var queryStart = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? pathAndQuery : pathAndQuery[..queryStart];
        var query = queryStart < 0 ? "" : pathAndQuery[(queryStart + 1)..];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);

        // /api/v1/... is the core group; /apis/GROUP/VERSION/... any other.
        string group;
        int at;
        if (segments.Length >= 2 && segments[0] == "api") (group, at) = ("", 2);
        else if (segments.Length >= 3 && segments[0] == "apis") (group, at) = (segments[1], 3);
        else return null;

        // The deprecated /api/v1/watch/... form.
        var watchPath = segments.Length > at && segments[at] == "watch";
        if (watchPath) at++;

        var rest = segments[at..];
        var scope = KubernetesScope.Cluster;
        if (rest.Length >= 3 && rest[0] == "namespaces")
        {
            scope = KubernetesScope.Namespaced;
            rest = rest[2..];
        }

        if (rest.Length == 0) return null;
        var resource = rest.Length >= 3 ? $"{rest[0]}/{rest[2]}" : rest[0];
        var named = rest.Length >= 2;
        var watch = watchPath || query.Split('&').Any(p => p is "watch=true" or "watch=1");

        var verb = method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" => watch ? "watch" : named ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => named ? "delete" : "deletecollection",
            _ => method.ToLowerInvariant(),
        };
        return new KubernetesAccess(group, resource, verb, scope);
    }
}
