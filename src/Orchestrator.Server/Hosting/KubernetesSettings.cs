namespace Orchestrator.Server.Hosting;

/// <summary>Running inside a Kubernetes cluster (section <c>Orchestrator:Kubernetes</c>).</summary>
public sealed class KubernetesSettings
{
    /// <summary>Use Orleans' Kubernetes hosting: silo name, advertised address and cluster ids from the pod, and silos
    /// whose pods were deleted declared dead. Default false; only true inside a pod, where start-up otherwise aborts.</summary>
    public bool Hosting { get; set; }
}
