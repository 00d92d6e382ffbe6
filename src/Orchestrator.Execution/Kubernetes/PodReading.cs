using k8s.Models;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>What a step pod's status says, in the terms the executor acts on.</summary>
/// <param name="Phase">The pod's phase: Pending, Running, Succeeded, Failed or Unknown.</param>
/// <param name="ContainerStarted">True once the step's container runs or has run, so its log can be read.</param>
/// <param name="ExitCode">The container's exit code once it has terminated, else null.</param>
/// <param name="TerminatedReason">The kubelet's reason for the termination (OOMKilled, Error, Completed), if any.</param>
/// <param name="CannotStart">Why the container can never start (image pull errors, a bad container config), else null.</param>
/// <param name="Unschedulable">The scheduler's message while the pod cannot be placed, else null.</param>
public sealed record PodReading(string Phase, bool ContainerStarted, int? ExitCode, string? TerminatedReason, string? CannotStart, string? Unschedulable)
{
    /// <summary>Waiting reasons after which the container will not start without someone fixing the spec or the registry.</summary>
    public static readonly IReadOnlySet<string> FatalWaitingReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError",
    };

    /// <summary>True once the pod has ended (Succeeded or Failed).</summary>
    public bool Ended => Phase is "Succeeded" or "Failed";

    /// <summary>Reads <paramref name="pod"/>'s status (the container named <see cref="PodManifest.ContainerName"/>).</summary>
    public static PodReading Of(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = pod.Status;
        var container = status?.ContainerStatuses?.FirstOrDefault(c => c.Name == PodManifest.ContainerName)
            ?? status?.ContainerStatuses?.FirstOrDefault();
        var terminated = container?.State?.Terminated ?? (container?.State?.Running is null ? container?.LastState?.Terminated : null);
        var waiting = container?.State?.Waiting;
        string? cannotStart = null;
        if (waiting?.Reason is { } reason && FatalWaitingReasons.Contains(reason))
        {
            var image = container?.Image is { Length: > 0 } i ? $" (image \"{i}\")" : "";
            cannotStart = string.IsNullOrEmpty(waiting.Message) ? $"{reason}{image}" : $"{reason}{image}: {waiting.Message}";
        }
        var scheduled = status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        var unschedulable = scheduled is { Status: "False", Reason: "Unschedulable" } ? scheduled.Message ?? "Unschedulable" : null;
        return new PodReading(
            status?.Phase ?? "Pending",
            container?.State?.Running is not null || terminated is not null,
            terminated?.ExitCode,
            terminated?.Reason,
            cannotStart,
            unschedulable);
    }
}
