using Microsoft.Extensions.Configuration;
using Orchestrator.Deploy.Tests.Support;
using Orchestrator.Server.Hosting;

namespace Orchestrator.Deploy.Tests;

/// <summary>The server Deployment runs the redis profile with Orleans' Kubernetes hosting, and gives that hosting the
/// pod identity it reads.</summary>
public sealed class ServerDeploymentTests
{
    [Theory]
    [InlineData("Orchestrator__Profile", "redis")]
    [InlineData("Orchestrator__ListenAddress", "0.0.0.0")]
    [InlineData("Orchestrator__Agent__Enabled", "false")]
    [InlineData("Orchestrator__Kubernetes__Hosting", "true")]
    public void Server_IsConfiguredForTheCluster(string setting, string value) =>
        Assert.Equal(value, ServerChecks.Environment(DeployManifests.Load()).GetValueOrDefault(setting));

    [Fact]
    public void ServerEnvironment_BindsToTheServerSettings()
    {
        // The environment read the way the server reads it, so a misspelt key shows up as a default here.
        var env = ServerChecks.Environment(DeployManifests.Load());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(env.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value)))
            .Build();

        var settings = configuration.GetSection("Orchestrator").Get<ServerSettings>()!;

        Assert.True(settings.Kubernetes.Hosting);
        Assert.False(settings.Agent.Enabled);
        Assert.Equal("0.0.0.0", settings.ListenAddress);
        Assert.Equal((7070, 7071, 11111, 30000), (settings.GrpcPort, settings.HttpPort, settings.SiloPort, settings.GatewayPort));
        Assert.Equal("/var/lib/orchestrator", settings.DataDirectory);
    }

    [Fact]
    public void Server_PassesPodIdentityToOrleansThroughTheDownwardApi() =>
        Assert.Empty(ServerChecks.PodIdentity(DeployManifests.Load()));

    [Fact]
    public void RedisAddress_NamesTheStatefulSetsFirstPodThroughItsHeadlessService() =>
        Assert.Empty(ServerChecks.RedisAddress(DeployManifests.Load()));

    [Fact]
    public void Server_RunsAsItsOwnNonRootServiceAccount()
    {
        var spec = DeployManifests.Load().Server.Spec.Template.Spec;

        Assert.Equal("orchestrator", spec.ServiceAccountName);
        Assert.True(spec.SecurityContext?.RunAsNonRoot);
    }

    [Fact]
    public void PodIdentity_WithoutThePodIp_IsReported()
    {
        var m = DeployManifests.Load();
        ServerChecks.Container(m).Env.Remove(ServerChecks.Container(m).Env.Single(e => e.Name == "POD_IP"));

        Assert.Contains("POD_IP should come from the downward API field status.podIP, not ''", ServerChecks.PodIdentity(m));
    }

    [Fact]
    public void ClusterIdLabel_ThatDisagreesWithTheSetting_IsReported()
    {
        var m = DeployManifests.Load();
        m.Server.Spec.Template.Metadata.Labels["orleans/clusterId"] = "blue";

        Assert.Contains("Orchestrator__ClusterId 'orchestrator' differs from the orleans/clusterId label", ServerChecks.PodIdentity(m));
    }

    [Fact]
    public void RedisAddress_ThatNamesAnotherPod_IsReported()
    {
        var m = DeployManifests.Load();
        ServerChecks.Container(m).Env.Single(e => e.Name == "Orchestrator__Redis").Value = "redis:6379";

        Assert.Contains("Orchestrator__Redis is 'redis:6379', expected redis-0.redis:6379", ServerChecks.RedisAddress(m));
    }
}
