using k8s.Models;

using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Processes;
using Orchestrator.Execution.Workspaces;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>Builds the pod of one step attempt: image and command, environment, GPUs, node affinity, labels and the
/// shared workspace.</summary>
public static class PodManifest
{
    /// <summary>The name of the step's container in its pod.</summary>
    public const string ContainerName = "step";

    /// <summary>The name of the workspace volume in the pod.</summary>
    public const string WorkspaceVolume = "workspace";

    /// <summary>The pod for <paramref name="launch"/> on <paramref name="node"/>.</summary>
    /// <param name="launch">The attempt; its <see cref="StepLaunch.Assignment"/> is required.</param>
    /// <param name="node">The node the scheduler chose.</param>
    /// <param name="workspaceClaim">The claim holding the work directory, or null for none.</param>
    /// <param name="workRoot">The agent's work directory (absolute), where the claim is mounted in the pod.</param>
    /// <exception cref="StepPreparationException">The step has no image, or needs a workspace there is none of.</exception>
    public static V1Pod Build(StepLaunch launch, KubernetesGpuNode node, string? workspaceClaim, string workRoot)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(node);
        var assignment = launch.Assignment ?? throw new ArgumentException("the pod runner needs the launch's assignment", nameof(launch));
        var step = assignment.Step;
        var stepName = $"step \"{step.StepKey}\" of run {step.RunId}";
        if (string.IsNullOrWhiteSpace(assignment.Image))
        {
            throw new StepPreparationException(
                $"{stepName} has no image: the Kubernetes executor runs every step in a container; give the step an image (image: python:3.12-slim)",
                isAgentFault: false);
        }
        if (workspaceClaim is null && (assignment.Inputs.Count > 0 || assignment.Outputs.Count > 0))
        {
            throw new StepPreparationException(
                $"{stepName} has inputs or outputs, but this Kubernetes executor has no shared workspace: start the agent with --workspace-claim CLAIM (a ReadWriteMany PersistentVolumeClaim)",
                isAgentFault: false);
        }
        var gpus = assignment.GpuIndices.Count;
        var container = new V1Container
        {
            Name = ContainerName,
            Image = assignment.Image,
            // The image's entrypoint is replaced, as a process step's command is the whole command line.
            Command = launch.Argv.ToList(),
            Env = Environment(launch.Environment, gpus),
            Resources = gpus > 0 ? GpuResources(gpus) : null,
        };
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = PodNames.PodName(step),
                Labels = PodNames.Labels(step, node.Name),
                Annotations = new Dictionary<string, string>
                {
                    [PodNames.RunAnnotation] = step.RunId,
                    [PodNames.StepAnnotation] = step.StepKey,
                },
            },
            Spec = new V1PodSpec
            {
                Containers = [container],
                RestartPolicy = "Never",
                Affinity = NodeAffinity(node),
                Tolerations = gpus > 0 ? [new V1Toleration { Key = KubernetesGpuNode.GpuResource, OperatorProperty = "Exists", Effect = "NoSchedule" }] : null,
                // The agent deletes pods with the kill grace it was given; the pod's own default must not cut it shorter.
                TerminationGracePeriodSeconds = (long)Math.Ceiling((launch.KillGrace ?? ProcessStepRunner.DefaultKillGrace).TotalSeconds),
            },
        };
        if (workspaceClaim is not null)
        {
            pod.Spec.Volumes = [new V1Volume { Name = WorkspaceVolume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = workspaceClaim } }];
            container.VolumeMounts = [new V1VolumeMount { Name = WorkspaceVolume, MountPath = workRoot }];
            container.WorkingDir = launch.WorkingDirectory;
        }
        return pod;
    }

    private static List<V1EnvVar> Environment(IReadOnlyDictionary<string, string> environment, int gpus)
    {
        // With GPUs the device plugin exposes exactly the granted devices, renumbered from 0: the agent's indices would
        // name devices the container does not have. Without GPUs the empty value keeps every device hidden, as on bare metal.
        return environment
            .Where(e => gpus == 0 || e.Key != "CUDA_VISIBLE_DEVICES")
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new V1EnvVar { Name = e.Key, Value = e.Value })
            .ToList();
    }

    private static V1ResourceRequirements GpuResources(int gpus)
    {
        var quantity = new ResourceQuantity(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { [KubernetesGpuNode.GpuResource] = quantity },
            Limits = new Dictionary<string, ResourceQuantity> { [KubernetesGpuNode.GpuResource] = quantity },
        };
    }

    private static V1Affinity NodeAffinity(KubernetesGpuNode node) => new()
    {
        NodeAffinity = new V1NodeAffinity
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
            {
                NodeSelectorTerms =
                [
                    new V1NodeSelectorTerm
                    {
                        MatchExpressions = [new V1NodeSelectorRequirement { Key = KubernetesGpuNode.HostnameLabelKey, OperatorProperty = "In", Values = [node.HostnameLabel] }],
                    },
                ],
            },
        },
    };
}
