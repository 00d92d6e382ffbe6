using k8s.Models;

using Orchestrator.Deploy.Tests.Support;

namespace Orchestrator.Deploy.Tests;

/// <summary>The executor Deployment runs the node agent in Kubernetes mode, once, against the server's gRPC Service, in
/// the namespace its Role covers, with the shared workspace claim mounted where it tells the pods to mount it.</summary>
public sealed class ExecutorDeploymentTests
{
    [Fact]
    public void Executor_RunsTheAgentInKubernetesModeOnce()
    {
        var executor = DeployManifests.Load().Executor;
        var args = Arguments(executor);

        Assert.Equal(1, executor.Spec.Replicas);
        Assert.Equal("Recreate", executor.Spec.Strategy.Type);
        Assert.Equal(["dotnet", "/app/agent/Orchestrator.Agent.dll"], Container(executor).Command);
        Assert.Equal("kubernetes", args["--executor"]);
    }

    [Fact]
    public void Executor_ManagesPodsInTheNamespaceItsRoleCovers()
    {
        var m = DeployManifests.Load();
        var role = m.Of<V1Role>().Single();

        Assert.Equal(role.Namespace(), Arguments(m.Executor)["--namespace"]);
        Assert.Equal("orchestrator", m.Executor.Spec.Template.Spec.ServiceAccountName);
    }

    [Fact]
    public void Executor_ReachesTheServersGrpcPortThroughTheService()
    {
        var m = DeployManifests.Load();
        var service = m.Of<V1Service>().Single(s => s.Name() == "orchestrator");
        var grpc = service.Spec.Ports.Single(p => p.Name == "grpc");

        Assert.Equal($"http://{service.Name()}.{service.Namespace()}.svc:{grpc.Port}", Arguments(m.Executor)["--gateway"]);
    }

    [Fact]
    public void Executor_MountsTheReadWriteManyWorkspaceClaimAtItsWorkDirectory()
    {
        var m = DeployManifests.Load();
        var args = Arguments(m.Executor);
        var claim = m.Of<V1PersistentVolumeClaim>().Single(c => c.Name() == args["--workspace-claim"]);
        var volume = m.Executor.Spec.Template.Spec.Volumes.Single(v => v.PersistentVolumeClaim?.ClaimName == claim.Name());

        Assert.Contains("ReadWriteMany", claim.Spec.AccessModes);
        Assert.Equal(args["--work-dir"], Container(m.Executor).VolumeMounts.Single(v => v.Name == volume.Name).MountPath);
    }

    private static V1Container Container(V1Deployment deployment) => deployment.Spec.Template.Spec.Containers.Single();

    // The agent's switches, each followed by its value.
    private static Dictionary<string, string> Arguments(V1Deployment deployment)
    {
        var args = Container(deployment).Args;
        return Enumerable.Range(0, args.Count / 2).ToDictionary(i => args[2 * i], i => args[(2 * i) + 1]);
    }
}
