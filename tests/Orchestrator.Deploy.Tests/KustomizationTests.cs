using k8s.Models;
using Orchestrator.Deploy.Tests.Support;

namespace Orchestrator.Deploy.Tests;

/// <summary>kustomization.yaml ties exactly the manifest files together, and every file loads as Kubernetes objects.</summary>
public sealed class KustomizationTests
{
    [Fact]
    public void Kustomization_ListsEveryManifestFileAndOnlyExistingOnes() =>
        Assert.Empty(ManifestChecks.Kustomization(DeployManifests.Load()));

    [Fact]
    public void EveryManifestFile_LoadsWithTheKubernetesClient()
    {
        var m = DeployManifests.Load();

        Assert.NotEmpty(m.FilesOnDisk);
        Assert.Contains(m.Objects, o => o.Kind == "Deployment");
        Assert.Contains(m.Objects, o => o.Kind == "StatefulSet");
        Assert.Contains(m.Objects, o => o.Kind == "PodDisruptionBudget");
        Assert.All(m.Objects, o => Assert.False(string.IsNullOrEmpty(o.Name()), $"a {o.Kind} has no name"));
    }

    [Fact]
    public void Kustomization_MissingAFile_IsReported()
    {
        var m = DeployManifests.Load();
        m.KustomizationResources.Remove("server-pdb.yaml");

        Assert.Contains("server-pdb.yaml is not listed in kustomization.yaml", ManifestChecks.Kustomization(m));
    }

    [Fact]
    public void Kustomization_ListingAFileThatDoesNotExist_IsReported()
    {
        var m = DeployManifests.Load();
        m.KustomizationResources.Add("ingress.yaml");

        Assert.Contains("kustomization.yaml lists ingress.yaml, which does not exist", ManifestChecks.Kustomization(m));
    }
}
