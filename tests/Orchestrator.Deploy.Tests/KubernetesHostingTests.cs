using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting.Kubernetes;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Deploy.Tests;

/// <summary>Orleans' Kubernetes hosting is added only when Orchestrator:Kubernetes:Hosting is true, and asking for it
/// outside a pod fails at once with an error that names the setting.</summary>
public sealed class KubernetesHostingTests
{
    [Fact]
    public void HostingOff_AddsNothing() =>
        Assert.False(HasKubernetesHosting(new KubernetesSettings { Hosting = false }, inCluster: true));

    [Fact]
    public void HostingOn_InAPod_AddsOrleansKubernetesHosting() =>
        Assert.True(HasKubernetesHosting(new KubernetesSettings { Hosting = true }, inCluster: true));

    [Fact]
    public void HostingOn_OutsideAPod_FailsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => HasKubernetesHosting(new KubernetesSettings { Hosting = true }, inCluster: false));

        Assert.Contains("Orchestrator:Kubernetes:Hosting", error.Message, StringComparison.Ordinal);
        Assert.Contains("Orchestrator__Kubernetes__Hosting=false", error.Message, StringComparison.Ordinal);
    }

    private static bool HasKubernetesHosting(KubernetesSettings settings, bool inCluster)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseKubernetesHostingWhenEnabled(settings, () => inCluster));
        return builder.Services.Any(s => s.ServiceType == typeof(Microsoft.Extensions.Options.IConfigureOptions<KubernetesHostingOptions>));
    }
}
