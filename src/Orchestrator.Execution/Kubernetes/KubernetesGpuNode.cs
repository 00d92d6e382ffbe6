using k8s.Models;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>A Kubernetes node as the executor registers it: a schedulable, Ready node with allocatable GPUs.</summary>
/// <param name="Name">The node's name, which is also the name it registers under.</param>
/// <param name="HostnameLabel">Its <c>kubernetes.io/hostname</c> label, which node affinity selects on (usually the name).</param>
/// <param name="Gpus">Allocatable <c>nvidia.com/gpu</c>.</param>
/// <param name="GpuModel">From the GPU feature discovery label <c>nvidia.com/gpu.product</c>, else "NVIDIA GPU".</param>
/// <param name="GpuMemoryBytes">From <c>nvidia.com/gpu.memory</c> (MiB), else 0 (unknown).</param>
/// <param name="CpuMillis">Allocatable CPU in thousandths of a core.</param>
/// <param name="MemoryBytes">Allocatable memory in bytes.</param>
/// <param name="Address">Its InternalIP (else its name): where a gang's other replicas reach replica 0.</param>
/// <param name="Labels">Its labels, copied to the registration so the scheduler can select on them.</param>
public sealed record KubernetesGpuNode(
    string Name,
    string HostnameLabel,
    int Gpus,
    string GpuModel,
    long GpuMemoryBytes,
    long CpuMillis,
    long MemoryBytes,
    string Address,
    IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The extended resource the NVIDIA device plugin advertises.</summary>
    public const string GpuResource = "nvidia.com/gpu";

    /// <summary>The well-known label node affinity selects on.</summary>
    public const string HostnameLabelKey = "kubernetes.io/hostname";

    private const string ProductLabel = "nvidia.com/gpu.product";
    private const string MemoryLabel = "nvidia.com/gpu.memory";

    /// <summary>Whether a new reading of the node leaves its session as it is: the same GPUs, capacity and address.
    /// Labels are not compared: some change often, and re-registering would stop the node's running steps.</summary>
    public bool SameRegistration(KubernetesGpuNode other) => this with { Labels = other.Labels } == other;

    /// <summary>Reads a node; null with the reason when it takes no steps (no GPUs, cordoned, not Ready).</summary>
    public static (KubernetesGpuNode? Node, string? Skipped) From(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var name = node.Metadata?.Name ?? "";
        if (!PodNames.IsDnsSubdomain(name)) return (null, $"its name \"{name}\" is not a node name");
        var allocatable = node.Status?.Allocatable;
        var gpus = allocatable is not null && allocatable.TryGetValue(GpuResource, out var quantity) ? (int)quantity.ToDecimal() : 0;
        if (gpus <= 0) return (null, $"it has no allocatable {GpuResource}");
        if (node.Spec?.Unschedulable == true) return (null, "it is cordoned (unschedulable)");
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        if (ready?.Status != "True") return (null, $"it is not Ready ({ready?.Reason ?? "no Ready condition"})");
        var labels = new Dictionary<string, string>(node.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var address = node.Status?.Addresses?.FirstOrDefault(a => a.Type == "InternalIP")?.Address ?? name;
        var memoryMiB = labels.TryGetValue(MemoryLabel, out var mib) && long.TryParse(mib, out var m) ? m : 0;
        return (new KubernetesGpuNode(
            name,
            labels.GetValueOrDefault(HostnameLabelKey, name),
            gpus,
            labels.GetValueOrDefault(ProductLabel, "NVIDIA GPU"),
            memoryMiB * 1024 * 1024,
            Quantity(allocatable, "cpu", 1000),
            Quantity(allocatable, "memory", 1),
            address,
            labels), null);
    }

    private static long Quantity(IDictionary<string, ResourceQuantity>? allocatable, string resource, decimal scale) =>
        allocatable is not null && allocatable.TryGetValue(resource, out var quantity) ? (long)(quantity.ToDecimal() * scale) : 0;
}
