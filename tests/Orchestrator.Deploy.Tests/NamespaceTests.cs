using Orchestrator.Deploy.Tests.Support;

namespace Orchestrator.Deploy.Tests;

/// <summary>Every namespaced object names the one namespace the manifests create, so each file also applies alone.</summary>
public sealed class NamespaceTests
{
    [Fact]
    public void EveryNamespacedObject_IsInTheOrchestratorNamespace() =>
        Assert.Empty(ManifestChecks.Namespaces(DeployManifests.Load()));

    [Fact]
    public void AnObjectWithoutNamespace_IsReported()
    {
        var m = DeployManifests.Load();
        m.Redis.Metadata.NamespaceProperty = null;

        Assert.Contains("StatefulSet redis is in namespace '', not orchestrator", ManifestChecks.Namespaces(m));
    }
}
