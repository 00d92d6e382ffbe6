using Orchestrator.Execution.Kubernetes;
using Orchestrator.Testing.Kubernetes;

namespace Orchestrator.Execution.Tests.Kubernetes;

/// <summary>Verifies the executor's RBAC list: exactly the rules the manifests must grant, and the check the other
/// Kubernetes tests run on every request the fake API server received.</summary>
public sealed class KubernetesPermissionsTests
{
    /// <summary>Fails naming each request that <see cref="KubernetesExecutorPermissions.Required"/> does not allow.</summary>
    internal static void AssertCovered(IEnumerable<FakeKubernetesApi.ApiRequest> requests)
    {
        List<FakeKubernetesApi.ApiRequest> snapshot;
        lock (requests) snapshot = [.. requests];
        var uncovered = snapshot
            .Select(r => (Request: r, Rule: r.Authorization()))
            .Where(x => !KubernetesExecutorPermissions.Covers(x.Rule.ApiGroup, x.Rule.Resource, x.Rule.Verb))
            .Select(x => $"{x.Request.Method} {x.Request.Path}{x.Request.Query} needs {x.Rule.Verb} on \"{x.Rule.ApiGroup}\"/{x.Rule.Resource}")
            .ToList();
        Assert.True(uncovered.Count == 0, "requests not covered by KubernetesExecutorPermissions:\n" + string.Join("\n", uncovered));
    }

    [Fact]
    public void Required_IsExactlyPodsLogsAndNodes()
    {
        var rules = KubernetesExecutorPermissions.Required.Select(p => $"{p.ApiGroup}/{p.Resource}: {string.Join(",", p.Verbs)}").ToList();

        Assert.Equal(["/pods: create,get,list,watch,delete", "/pods/log: get", "/nodes: get,list,watch"], rules);
    }

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/ml/pods/p/log", "?follow=true", "pods/log", "get")]
    [InlineData("GET", "/api/v1/namespaces/ml/pods", "?fieldSelector=metadata.name%3Dp&watch=true", "pods", "watch")]
    [InlineData("GET", "/api/v1/namespaces/ml/pods", "?fieldSelector=metadata.name%3Dp", "pods", "list")]
    [InlineData("POST", "/api/v1/namespaces/ml/pods", "", "pods", "create")]
    [InlineData("DELETE", "/api/v1/namespaces/ml/pods/p", "", "pods", "delete")]
    [InlineData("GET", "/api/v1/nodes", "?watch=true", "nodes", "watch")]
    public void Authorization_OfARequest_IsWhatTheApiServerChecks(string method, string path, string query, string resource, string verb)
    {
        Assert.Equal(("", resource, verb), new FakeKubernetesApi.ApiRequest(method, path, query).Authorization());
    }

    [Fact]
    public void Covers_RefusesWhatIsNotListed()
    {
        Assert.False(KubernetesExecutorPermissions.Covers("", "pods", "patch"));
        Assert.False(KubernetesExecutorPermissions.Covers("", "nodes", "delete"));
        Assert.False(KubernetesExecutorPermissions.Covers("apps", "pods", "get"));
    }
}
