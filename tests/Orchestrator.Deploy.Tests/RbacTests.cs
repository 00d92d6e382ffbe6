using k8s.Models;
using Orchestrator.Deploy.Tests.Support;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Deploy.Tests;

/// <summary>The server's service account exists, is bound to every role, and is granted exactly what
/// <see cref="KubernetesPermissions"/> says the code calls: no verb more, none missing.</summary>
public sealed class RbacTests
{
    [Fact]
    public void Deployment_RunsAsAServiceAccountThatExists() =>
        Assert.Empty(RbacChecks.ServiceAccount(DeployManifests.Load()));

    [Fact]
    public void EveryRole_IsBoundToTheServersServiceAccount() =>
        Assert.Empty(RbacChecks.Bindings(DeployManifests.Load()));

    [Fact]
    public void Roles_GrantExactlyWhatTheCodeNeeds() =>
        Assert.Empty(RbacChecks.GrantsExactlyWhatTheCodeNeeds(DeployManifests.Load()));

    [Fact]
    public void Nodes_AreGrantedClusterWideAndPodsOnlyInTheNamespace()
    {
        var granted = RbacChecks.Granted(DeployManifests.Load());

        Assert.Contains(new KubernetesAccess("", "nodes", "list", KubernetesScope.Cluster), granted);
        Assert.Contains(new KubernetesAccess("", "pods", "create", KubernetesScope.Namespaced), granted);
        Assert.DoesNotContain(granted, a => a.Resource.StartsWith("pods", StringComparison.Ordinal) && a.Scope == KubernetesScope.Cluster);
    }

    [Fact]
    public void ARoleMissingAVerbTheExecutorCalls_IsReported()
    {
        var m = DeployManifests.Load();
        m.Of<V1Role>().Single().Rules.Single(r => r.Resources.Contains("pods")).Verbs.Remove("delete");

        Assert.Contains("missing: delete pods (group '', Namespaced), which the code calls", RbacChecks.GrantsExactlyWhatTheCodeNeeds(m));
    }

    [Fact]
    public void ARoleGrantingMore_IsReported()
    {
        var m = DeployManifests.Load();
        m.Of<V1Role>().Single().Rules.Add(new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = ["get"] });

        Assert.Contains("more than needed: get secrets (group '', Namespaced), which KubernetesPermissions does not list", RbacChecks.GrantsExactlyWhatTheCodeNeeds(m));
    }

    [Fact]
    public void ABindingToAnotherAccount_IsReported()
    {
        var m = DeployManifests.Load();
        m.Of<V1ClusterRoleBinding>().Single().Subjects.Single().Name = "default";

        var problems = RbacChecks.Bindings(m).ToList();

        Assert.Contains("ClusterRole orchestrator-nodes is not bound to the server's service account", problems);
        Assert.Contains(RbacChecks.GrantsExactlyWhatTheCodeNeeds(m), p => p.StartsWith("missing: list nodes", StringComparison.Ordinal));
    }

    [Fact]
    public void ADeploymentWithoutAServiceAccount_IsReported()
    {
        var m = DeployManifests.Load();
        m.Server.Spec.Template.Spec.ServiceAccountName = null;

        Assert.Contains("the server Deployment sets no serviceAccountName (it would run as 'default')", RbacChecks.ServiceAccount(m));
    }
}
