using k8s.Models;
using Orchestrator.Deploy.Tests.Support;

namespace Orchestrator.Deploy.Tests;

/// <summary>Ports agree everywhere they are named: Services, probes, Prometheus annotations and the server's settings.</summary>
public sealed class PortTests
{
    [Fact]
    public void ServiceTargetPorts_NameOrMatchAContainerPort() =>
        Assert.Empty(ManifestChecks.ServiceTargetPorts(DeployManifests.Load()));

    [Fact]
    public void Probes_UsePortsTheContainerExposes() =>
        Assert.Empty(ManifestChecks.ProbePorts(DeployManifests.Load()));

    [Fact]
    public void ServerReadinessAndLiveness_AreGrpcHealthProbesOnTheGrpcPort() =>
        Assert.Empty(ServerChecks.GrpcHealthProbes(DeployManifests.Load()));

    [Fact]
    public void PrometheusAnnotations_PointAtTheMetricsPort() =>
        Assert.Empty(ServerChecks.PrometheusAnnotations(DeployManifests.Load()));

    [Fact]
    public void ServerPortSettings_AgreeWithTheContainerPorts() =>
        Assert.Empty(ServerChecks.EnvironmentPorts(DeployManifests.Load()));

    [Fact]
    public void ServiceTargetPort_ThatNoContainerExposes_IsReported()
    {
        var m = DeployManifests.Load();
        m.Of<V1Service>().Single(s => s.Name() == "orchestrator").Spec.Ports.Single(p => p.Name == "metrics").TargetPort = "http";

        Assert.Contains("Service orchestrator port metrics targets http, which no container of Deployment orchestrator exposes", ManifestChecks.ServiceTargetPorts(m));
    }

    [Fact]
    public void ProbeOnAPortTheContainerDoesNotExpose_IsReported()
    {
        var m = DeployManifests.Load();
        ServerChecks.Container(m).LivenessProbe.Grpc.Port = 7072;

        Assert.Contains("Deployment orchestrator container server's liveness probe uses port 7072, which the container does not expose", ManifestChecks.ProbePorts(m));
    }

    [Fact]
    public void PrometheusPortAnnotation_OnTheGrpcPort_IsReported()
    {
        var m = DeployManifests.Load();
        m.Server.Spec.Template.Metadata.Annotations["prometheus.io/port"] = "7070";

        Assert.Contains("prometheus.io/port is '7070' but the metrics port is 7071", ServerChecks.PrometheusAnnotations(m));
    }

    [Fact]
    public void PortSetting_ThatDisagreesWithTheContainer_IsReported()
    {
        var m = DeployManifests.Load();
        ServerChecks.Container(m).Env.Single(e => e.Name == "Orchestrator__GrpcPort").Value = "8080";

        Assert.Contains("Orchestrator__GrpcPort is 8080 but the container's grpc port is 7070", ServerChecks.EnvironmentPorts(m));
    }
}
