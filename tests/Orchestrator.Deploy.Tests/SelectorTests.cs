using k8s.Models;
using Orchestrator.Deploy.Tests.Support;

namespace Orchestrator.Deploy.Tests;

/// <summary>Selectors of workloads, Services and the disruption budget match the pod labels they are meant to.</summary>
public sealed class SelectorTests
{
    [Fact]
    public void WorkloadSelectors_MatchTheirPodTemplateLabels() =>
        Assert.Empty(ManifestChecks.WorkloadSelectors(DeployManifests.Load()));

    [Fact]
    public void ServiceAndBudgetSelectors_SelectAWorkloadsPods() =>
        Assert.Empty(ManifestChecks.ServiceAndBudgetSelectors(DeployManifests.Load()));

    [Fact]
    public void DisruptionBudget_KeepsAMajorityOfTheServersButLetsADrainProceed()
    {
        var m = DeployManifests.Load();
        var budget = Assert.Single(m.Of<V1PodDisruptionBudget>());

        Assert.True(ManifestChecks.Selects(budget.Spec.Selector, m.Server.Spec.Template));
        Assert.Equal(3, m.Server.Spec.Replicas);
        var minAvailable = int.Parse(budget.Spec.MinAvailable!.Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(minAvailable, m.Server.Spec.Replicas!.Value / 2 + 1, m.Server.Spec.Replicas!.Value - 1);
    }

    [Fact]
    public void WorkloadSelector_ThatMissesItsTemplate_IsReported()
    {
        var m = DeployManifests.Load();
        m.Server.Spec.Template.Metadata.Labels["app.kubernetes.io/component"] = "api";

        Assert.Contains("Deployment orchestrator's selector does not match its pod template's labels", ManifestChecks.WorkloadSelectors(m));
    }

    [Fact]
    public void ServiceSelector_ThatSelectsNothing_IsReported()
    {
        var m = DeployManifests.Load();
        m.Of<V1Service>().Single(s => s.Name() == "redis").Spec.Selector["app.kubernetes.io/component"] = "cache";

        Assert.Contains("Service redis selects no pod template", ManifestChecks.ServiceAndBudgetSelectors(m));
    }
}
