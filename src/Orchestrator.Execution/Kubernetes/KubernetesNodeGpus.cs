using Orchestrator.Execution.Gpus;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>A Kubernetes node's GPUs as the agent registers them: as many as it has allocatable. The indices only count
/// GPUs (the device plugin picks the devices a pod gets), so a held GPU is reported busy without sampling it.</summary>
public sealed class KubernetesNodeGpus : FixedGpus
{
    /// <summary>Creates the GPUs of <paramref name="node"/>.</summary>
    // Kubernetes does not tell which device is which; uuids derived from node and slot keep re-registration stable.
    public KubernetesNodeGpus(KubernetesGpuNode node)
        : base(NotNull(node).Gpus, "K8S-", $"kubernetes/{node.Name}", node.GpuModel, node.GpuMemoryBytes, simulated: false)
    {
    }

    private static KubernetesGpuNode NotNull(KubernetesGpuNode node) => node ?? throw new ArgumentNullException(nameof(node));
}
