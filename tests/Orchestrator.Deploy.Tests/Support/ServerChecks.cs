using System.Globalization;
using k8s.Models;
using Orleans.Hosting.Kubernetes;

namespace Orchestrator.Deploy.Tests.Support;

/// <summary>Invariants of the server Deployment: its configuration, ports, annotations and pod identity.</summary>
public static class ServerChecks
{
    /// <summary>The settings and the container port each port setting must equal.</summary>
    public static readonly (string Setting, string ContainerPort)[] PortSettings =
    [
        ("Orchestrator__GrpcPort", "grpc"),
        ("Orchestrator__HttpPort", "metrics"),
        ("Orchestrator__SiloPort", "silo"),
        ("Orchestrator__GatewayPort", "gateway"),
    ];

    /// <summary>The server's container (the Deployment has one).</summary>
    public static V1Container Container(DeployManifests m) => m.Server.Spec.Template.Spec.Containers.Single();

    /// <summary>The literal environment values of the server container.</summary>
    public static Dictionary<string, string> Environment(DeployManifests m) =>
        (Container(m).Env ?? []).Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value);

    /// <summary>The port settings name the ports the container exposes.</summary>
    public static IEnumerable<string> EnvironmentPorts(DeployManifests m)
    {
        var env = Environment(m);
        var ports = Container(m).Ports ?? [];
        foreach (var (setting, portName) in PortSettings)
        {
            var port = ports.FirstOrDefault(p => p.Name == portName);
            if (port is null) yield return $"the server container has no port named {portName}";
            else if (!env.TryGetValue(setting, out var value)) yield return $"{setting} is not set; the container's {portName} port is {port.ContainerPort}";
            else if (value != port.ContainerPort.ToString(CultureInfo.InvariantCulture)) yield return $"{setting} is {value} but the container's {portName} port is {port.ContainerPort}";
        }
    }

    /// <summary>The prometheus.io annotations of the server pods point at the metrics port's <c>/metrics</c>.</summary>
    public static IEnumerable<string> PrometheusAnnotations(DeployManifests m)
    {
        var annotations = m.Server.Spec.Template.Metadata.Annotations ?? new Dictionary<string, string>();
        string? Get(string key) => annotations.TryGetValue(key, out var v) ? v : null;
        var metrics = (Container(m).Ports ?? []).FirstOrDefault(p => p.Name == "metrics");
        if (Get("prometheus.io/scrape") != "true") yield return "the server pods are not annotated prometheus.io/scrape: \"true\"";
        if (Get("prometheus.io/path") != "/metrics") yield return $"prometheus.io/path is '{Get("prometheus.io/path")}', not /metrics";
        if (metrics is null) yield return "the server container has no port named metrics";
        else if (Get("prometheus.io/port") != metrics.ContainerPort.ToString(CultureInfo.InvariantCulture))
            yield return $"prometheus.io/port is '{Get("prometheus.io/port")}' but the metrics port is {metrics.ContainerPort}";
    }

    /// <summary>Readiness and liveness are gRPC health probes on the gRPC port.</summary>
    public static IEnumerable<string> GrpcHealthProbes(DeployManifests m)
    {
        var container = Container(m);
        var grpc = (container.Ports ?? []).FirstOrDefault(p => p.Name == "grpc");
        foreach (var (kind, probe) in new[] { ("readiness", container.ReadinessProbe), ("liveness", container.LivenessProbe) })
        {
            if (probe?.Grpc is null) yield return $"the server's {kind} probe is not a grpc probe";
            else if (grpc is null || probe.Grpc.Port != grpc.ContainerPort) yield return $"the server's {kind} probe checks port {probe.Grpc.Port}, not the grpc port";
        }
    }

    /// <summary>Orleans' Kubernetes hosting gets the pod's name, namespace and IP from the downward API, and the
    /// service and cluster ids from the labels it selects silo pods by.</summary>
    public static IEnumerable<string> PodIdentity(DeployManifests m)
    {
        var env = (Container(m).Env ?? []).ToDictionary(e => e.Name);
        var template = m.Server.Spec.Template;
        var expected = new (string Variable, string FieldPath)[]
        {
            (KubernetesHostingOptions.PodNameEnvironmentVariable, "metadata.name"),
            (KubernetesHostingOptions.PodNamespaceEnvironmentVariable, "metadata.namespace"),
            (KubernetesHostingOptions.PodIPEnvironmentVariable, "status.podIP"),
            (KubernetesHostingOptions.ServiceIdEnvironmentVariable, $"metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']"),
            (KubernetesHostingOptions.ClusterIdEnvironmentVariable, $"metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']"),
        };
        foreach (var (variable, fieldPath) in expected)
        {
            var actual = env.TryGetValue(variable, out var e) ? e.ValueFrom?.FieldRef?.FieldPath : null;
            if (actual != fieldPath) yield return $"{variable} should come from the downward API field {fieldPath}, not '{actual}'";
        }

        foreach (var label in new[] { KubernetesHostingOptions.ServiceIdLabel, KubernetesHostingOptions.ClusterIdLabel })
        {
            if (string.IsNullOrEmpty(ManifestChecks.Label(template, label))) yield return $"the server pod template has no {label} label";
        }

        var clusterId = Environment(m).GetValueOrDefault("Orchestrator__ClusterId");
        if (clusterId != ManifestChecks.Label(template, KubernetesHostingOptions.ClusterIdLabel))
            yield return $"Orchestrator__ClusterId '{clusterId}' differs from the {KubernetesHostingOptions.ClusterIdLabel} label";
    }

    /// <summary>Orchestrator__Redis names the StatefulSet's first pod through its headless Service, on Redis' port.</summary>
    public static IEnumerable<string> RedisAddress(DeployManifests m)
    {
        var redis = m.Redis;
        var address = Environment(m).GetValueOrDefault("Orchestrator__Redis") ?? "";
        var expectedHost = $"{redis.Name()}-0.{redis.Spec.ServiceName}";
        var port = (redis.Spec.Template.Spec.Containers.Single().Ports ?? []).FirstOrDefault(p => p.Name == "redis")?.ContainerPort;
        if (address != $"{expectedHost}:{port}") yield return $"Orchestrator__Redis is '{address}', expected {expectedHost}:{port}";

        var service = m.Of<V1Service>().FirstOrDefault(s => s.Name() == redis.Spec.ServiceName);
        if (service is null) yield return $"the StatefulSet's serviceName {redis.Spec.ServiceName} is not a Service";
        else if (service.Spec.ClusterIP != "None") yield return $"Service {service.Name()} is not headless (clusterIP: None), so {expectedHost} does not resolve";
    }
}
