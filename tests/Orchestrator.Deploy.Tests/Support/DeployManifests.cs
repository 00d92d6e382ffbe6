using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Deploy.Tests.Support;

/// <summary>Every object under deploy/kubernetes, loaded the way a client does, with the kustomization's file list.
/// Mutable on purpose: a test breaks a freshly loaded copy to show that a check notices.</summary>
public sealed class DeployManifests
{
    /// <summary>The files listed under <c>resources:</c> in kustomization.yaml.</summary>
    public List<string> KustomizationResources { get; } = [];

    /// <summary>The manifest files in the directory (every *.yaml but the kustomization).</summary>
    public List<string> FilesOnDisk { get; } = [];

    /// <summary>Every object of every file, typed (<see cref="V1Deployment"/>, <see cref="V1Service"/>, ...).</summary>
    public List<IKubernetesObject<V1ObjectMeta>> Objects { get; } = [];

    /// <summary>The objects of one kind.</summary>
    public IEnumerable<T> Of<T>() => Objects.OfType<T>();

    /// <summary>The server Deployment.</summary>
    public V1Deployment Server => Of<V1Deployment>().Single(d => d.Name() == "orchestrator");

    /// <summary>The Kubernetes executor's Deployment (the node agent in Kubernetes mode).</summary>
    public V1Deployment Executor => Of<V1Deployment>().Single(d => d.Name() == "orchestrator-executor");

    /// <summary>The Redis StatefulSet (there is exactly one StatefulSet).</summary>
    public V1StatefulSet Redis => Of<V1StatefulSet>().Single();

    /// <summary>Loads deploy/kubernetes of this repository.</summary>
    public static DeployManifests Load() => Load(Path.Combine(RepositoryRoot(), "deploy", "kubernetes"));

    /// <summary>Loads a directory of manifests with its kustomization.yaml.</summary>
    public static DeployManifests Load(string directory)
    {
        var manifests = new DeployManifests();
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(Path.Combine(directory, "kustomization.yaml")))) stream.Load(reader);
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        foreach (var entry in (YamlSequenceNode)root.Children[new YamlScalarNode("resources")])
        {
            manifests.KustomizationResources.Add(((YamlScalarNode)entry).Value!);
        }

        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name is "kustomization.yaml" or "kustomization.yml") continue;
            manifests.FilesOnDisk.Add(name);
            foreach (var item in KubernetesYaml.LoadAllFromString(File.ReadAllText(file)))
            {
                manifests.Objects.Add(item as IKubernetesObject<V1ObjectMeta>
                    ?? throw new InvalidOperationException($"{name}: {item?.GetType().Name ?? "an empty document"} is not a Kubernetes object"));
            }
        }

        return manifests;
    }

    /// <summary>The directory holding Orchestrator.sln, found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
