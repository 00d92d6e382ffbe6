using System.Globalization;
using k8s.Models;

namespace Orchestrator.Deploy.Tests.Support;

/// <summary>The structural invariants of the manifests; each returns the problems it finds, one sentence each.</summary>
public static class ManifestChecks
{
    /// <summary>Every pod template with the workload that owns it.</summary>
    public static IEnumerable<(string Owner, V1PodTemplateSpec Template)> PodTemplates(DeployManifests m) =>
        m.Of<V1Deployment>().Select(d => ($"Deployment {d.Name()}", d.Spec.Template))
            .Concat(m.Of<V1StatefulSet>().Select(s => ($"StatefulSet {s.Name()}", s.Spec.Template)));

    /// <summary>The kustomization lists every manifest file, and only files that exist.</summary>
    public static IEnumerable<string> Kustomization(DeployManifests m)
    {
        foreach (var file in m.FilesOnDisk.Except(m.KustomizationResources)) yield return $"{file} is not listed in kustomization.yaml";
        foreach (var file in m.KustomizationResources.Except(m.FilesOnDisk)) yield return $"kustomization.yaml lists {file}, which does not exist";
        foreach (var file in m.KustomizationResources.GroupBy(f => f).Where(g => g.Count() > 1)) yield return $"kustomization.yaml lists {file.Key} twice";
    }

    /// <summary>Each Deployment's and StatefulSet's selector matches the labels of its own pod template.</summary>
    public static IEnumerable<string> WorkloadSelectors(DeployManifests m)
    {
        var workloads = m.Of<V1Deployment>().Select(d => ($"Deployment {d.Name()}", d.Spec.Selector, d.Spec.Template))
            .Concat(m.Of<V1StatefulSet>().Select(s => ($"StatefulSet {s.Name()}", s.Spec.Selector, s.Spec.Template)));
        foreach (var (owner, selector, template) in workloads)
        {
            if (selector?.MatchLabels is not { Count: > 0 }) yield return $"{owner} has no selector.matchLabels";
            else if (!Selects(selector, template)) yield return $"{owner}'s selector does not match its pod template's labels";
        }
    }

    /// <summary>Each Service and PodDisruptionBudget selects the pods of some workload.</summary>
    public static IEnumerable<string> ServiceAndBudgetSelectors(DeployManifests m)
    {
        foreach (var service in m.Of<V1Service>())
        {
            if (service.Spec.Selector is not { Count: > 0 }) yield return $"Service {service.Name()} has no selector";
            else if (!SelectedBy(m, service).Any()) yield return $"Service {service.Name()} selects no pod template";
        }

        foreach (var budget in m.Of<V1PodDisruptionBudget>())
        {
            if (!PodTemplates(m).Any(p => Selects(budget.Spec.Selector, p.Template))) yield return $"PodDisruptionBudget {budget.Name()} selects no pod template";
        }
    }

    /// <summary>Every Service port's targetPort names, or equals, a container port of the pods it selects.</summary>
    public static IEnumerable<string> ServiceTargetPorts(DeployManifests m)
    {
        foreach (var service in m.Of<V1Service>())
        {
            foreach (var (owner, template) in SelectedBy(m, service))
            {
                var ports = template.Spec.Containers.SelectMany(c => c.Ports ?? []).ToList();
                foreach (var port in service.Spec.Ports)
                {
                    var target = Text(port.TargetPort) ?? port.Port.ToString(CultureInfo.InvariantCulture);
                    if (!ports.Any(p => Names(target, p))) yield return $"Service {service.Name()} port {port.Name} targets {target}, which no container of {owner} exposes";
                }
            }
        }
    }

    /// <summary>Every probe's port is one the container exposes.</summary>
    public static IEnumerable<string> ProbePorts(DeployManifests m)
    {
        foreach (var (owner, template) in PodTemplates(m))
        {
            foreach (var container in template.Spec.Containers)
            {
                var ports = container.Ports ?? [];
                foreach (var (kind, probe) in Probes(container))
                {
                    var port = probe.Grpc is not null ? probe.Grpc.Port.ToString(CultureInfo.InvariantCulture)
                        : Text(probe.HttpGet?.Port) ?? Text(probe.TcpSocket?.Port);
                    if (port is not null && !ports.Any(p => Names(port, p))) yield return $"{owner} container {container.Name}'s {kind} probe uses port {port}, which the container does not expose";
                }
            }
        }
    }

    /// <summary>The container's probes by kind.</summary>
    public static IEnumerable<(string Kind, V1Probe Probe)> Probes(V1Container container)
    {
        if (container.StartupProbe is not null) yield return ("startup", container.StartupProbe);
        if (container.ReadinessProbe is not null) yield return ("readiness", container.ReadinessProbe);
        if (container.LivenessProbe is not null) yield return ("liveness", container.LivenessProbe);
    }

    /// <summary>Objects of namespaced kinds are all in the one Namespace the manifests create.</summary>
    public static IEnumerable<string> Namespaces(DeployManifests m)
    {
        var namespaces = m.Of<V1Namespace>().Select(n => n.Name()).ToList();
        if (namespaces.Count != 1)
        {
            yield return $"expected one Namespace object, found {namespaces.Count}";
            yield break;
        }

        foreach (var item in m.Objects.Where(o => o is not (V1Namespace or V1ClusterRole or V1ClusterRoleBinding)))
        {
            if (item.Namespace() != namespaces[0]) yield return $"{item.Kind} {item.Name()} is in namespace '{item.Namespace()}', not {namespaces[0]}";
        }
    }

    /// <summary>The pod templates a Service selects.</summary>
    public static IEnumerable<(string Owner, V1PodTemplateSpec Template)> SelectedBy(DeployManifests m, V1Service service) =>
        PodTemplates(m).Where(p => service.Spec.Selector is { Count: > 0 } s && s.All(l => Label(p.Template, l.Key) == l.Value));

    /// <summary>True when the selector matches the template's labels (matchLabels; matchExpressions are not used here and count as a mismatch).</summary>
    public static bool Selects(V1LabelSelector? selector, V1PodTemplateSpec template) =>
        selector?.MatchLabels is { Count: > 0 } labels && selector.MatchExpressions is not { Count: > 0 }
        && labels.All(l => Label(template, l.Key) == l.Value);

    /// <summary>A label of the pod template, or null.</summary>
    public static string? Label(V1PodTemplateSpec template, string key) =>
        template.Metadata?.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>True when a port reference (a name or a number) designates this container port.</summary>
    public static bool Names(string reference, V1ContainerPort port) =>
        int.TryParse(reference, CultureInfo.InvariantCulture, out var number) ? port.ContainerPort == number : port.Name == reference;

    /// <summary>The text of a port reference (a name, or a number written out), or null.</summary>
    public static string? Text(IntOrString? reference) => reference?.Value;
}
