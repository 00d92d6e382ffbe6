using Orchestrator.Server.Hosting;

namespace Orchestrator.Deploy.Tests;

/// <summary>An API request maps to the RBAC verb and resource the API server checks, and the permission lists answer
/// whether it is allowed.</summary>
public sealed class KubernetesAccessTests
{
    [Theory]
    [InlineData("GET", "/api/v1/namespaces/demo/pods?labelSelector=a%3Db&watch=false", "pods", "list", KubernetesScope.Namespaced)]
    [InlineData("GET", "/api/v1/namespaces/demo/pods?watch=true", "pods", "watch", KubernetesScope.Namespaced)]
    [InlineData("GET", "/api/v1/watch/namespaces/demo/pods", "pods", "watch", KubernetesScope.Namespaced)]
    [InlineData("GET", "/api/v1/namespaces/demo/pods/step-1", "pods", "get", KubernetesScope.Namespaced)]
    [InlineData("GET", "/api/v1/namespaces/demo/pods/step-1/log?follow=true", "pods/log", "get", KubernetesScope.Namespaced)]
    [InlineData("POST", "/api/v1/namespaces/demo/pods", "pods", "create", KubernetesScope.Namespaced)]
    [InlineData("PATCH", "/api/v1/namespaces/demo/pods/silo-0", "pods", "patch", KubernetesScope.Namespaced)]
    [InlineData("DELETE", "/api/v1/namespaces/demo/pods/step-1", "pods", "delete", KubernetesScope.Namespaced)]
    [InlineData("DELETE", "/api/v1/namespaces/demo/pods", "pods", "deletecollection", KubernetesScope.Namespaced)]
    [InlineData("GET", "/api/v1/nodes?watch=true", "nodes", "watch", KubernetesScope.Cluster)]
    [InlineData("GET", "/api/v1/nodes/gpu-1", "nodes", "get", KubernetesScope.Cluster)]
    [InlineData("GET", "/api/v1/namespaces/demo", "namespaces", "get", KubernetesScope.Cluster)]
    public void FromRequest_GivesTheVerbAndResourceTheApiServerChecks(string method, string path, string resource, string verb, KubernetesScope scope) =>
        Assert.Equal(new KubernetesAccess("", resource, verb, scope), KubernetesAccess.FromRequest(method, path));

    [Fact]
    public void FromRequest_OfANamedGroup_KeepsTheGroup() =>
        Assert.Equal(new KubernetesAccess("apps", "deployments", "list", KubernetesScope.Namespaced),
            KubernetesAccess.FromRequest("GET", "/apis/apps/v1/namespaces/demo/deployments"));

    [Theory]
    [InlineData("/version")]
    [InlineData("/api/v1")]
    [InlineData("/healthz")]
    public void FromRequest_OfAPathWithoutAResource_IsNull(string path) =>
        Assert.Null(KubernetesAccess.FromRequest("GET", path));

    [Fact]
    public void ExecutorPermissions_AllowItsCallsAndNothingElse()
    {
        Assert.True(KubernetesPermissions.Executor.Allows(KubernetesAccess.FromRequest("POST", "/api/v1/namespaces/demo/pods")!));
        Assert.True(KubernetesPermissions.Executor.Allows(KubernetesAccess.FromRequest("GET", "/api/v1/namespaces/demo/pods/s/log")!));
        Assert.True(KubernetesPermissions.Executor.Allows(KubernetesAccess.FromRequest("GET", "/api/v1/nodes?watch=true")!));
        Assert.False(KubernetesPermissions.Executor.Allows(KubernetesAccess.FromRequest("PATCH", "/api/v1/namespaces/demo/pods/s")!));
        Assert.False(KubernetesPermissions.Executor.Allows(KubernetesAccess.FromRequest("GET", "/api/v1/namespaces/demo/secrets/s")!));
        Assert.False(KubernetesPermissions.Executor.Allows(KubernetesAccess.FromRequest("GET", "/api/v1/namespaces/demo/nodes/n")!));
    }

    [Fact]
    public void All_IsTheUnionOfBothListsOneEntryPerVerb()
    {
        Assert.Equal(10, KubernetesPermissions.All.Count);
        Assert.Contains(new KubernetesAccess("", "pods", "patch", KubernetesScope.Namespaced), KubernetesPermissions.All);
        Assert.Contains(new KubernetesAccess("", "pods/log", "get", KubernetesScope.Namespaced), KubernetesPermissions.All);
    }
}
