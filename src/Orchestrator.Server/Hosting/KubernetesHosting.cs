using k8s;

namespace Orchestrator.Server.Hosting;

/// <summary>Opt-in Orleans Kubernetes hosting for the silo.</summary>
public static class KubernetesHosting
{
    /// <summary>Calls <c>UseKubernetesHosting()</c> when <see cref="KubernetesSettings.Hosting"/> is true; otherwise does nothing.</summary>
    public static ISiloBuilder UseKubernetesHostingWhenEnabled(this ISiloBuilder silo, KubernetesSettings settings) =>
        silo.UseKubernetesHostingWhenEnabled(settings, KubernetesClientConfiguration.IsInCluster);

    /// <summary>The same, with the in-cluster probe given, so that both answers can be tested anywhere.</summary>
    internal static ISiloBuilder UseKubernetesHostingWhenEnabled(this ISiloBuilder silo, KubernetesSettings settings, Func<bool> isInCluster)
    {
        if (!settings.Hosting) return silo;

        // Orleans would fail later, deep inside silo start-up, with an error about a missing token file.
        if (!isInCluster())
        {
            throw new InvalidOperationException(
                "Orchestrator:Kubernetes:Hosting is true but this process is not running in a Kubernetes pod " +
                "(no KUBERNETES_SERVICE_HOST or service account token); set Orchestrator__Kubernetes__Hosting=false outside a cluster");
        }

        return silo.UseKubernetesHosting();
    }
}
