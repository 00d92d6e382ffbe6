using System.Net;

using k8s;
using k8s.Autorest;

using Microsoft.Extensions.Logging;

using Orchestrator.Execution.Processes;
using Orchestrator.Execution.Workspaces;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>Starts step attempts as pods on one Kubernetes node (the node the agent session stands for); see <see cref="PodManifest"/>.</summary>
public sealed class PodStepRunner : IStepRunner
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly KubernetesGpuNode _node;
    private readonly KubernetesExecutorOptions _options;
    private readonly string _workRoot;
    private readonly TimeSpan _killGrace;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a runner for <paramref name="node"/> that creates pods in <paramref name="namespace"/>.</summary>
    /// <param name="client">The API client.</param>
    /// <param name="namespace">Where step pods are created.</param>
    /// <param name="node">The node the pods are pinned to.</param>
    /// <param name="options">Workspace claim and patience.</param>
    /// <param name="workRoot">The agent's work directory; the workspace claim is mounted there in each pod.</param>
    /// <param name="killGrace">Deletion grace for a timed-out pod unless the launch says otherwise.</param>
    /// <param name="time">Drives timeouts.</param>
    /// <param name="logger">Where pod trouble is logged.</param>
    public PodStepRunner(IKubernetes client, string @namespace, KubernetesGpuNode node, KubernetesExecutorOptions options,
        string workRoot, TimeSpan killGrace, TimeProvider time, ILogger logger)
    {
        _client = client;
        _namespace = @namespace;
        _node = node;
        _options = options;
        _workRoot = Path.GetFullPath(workRoot);
        _killGrace = killGrace;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task<IRunningStep> StartAsync(StepLaunch launch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (launch.Argv.Count == 0 || launch.Argv[0].Length == 0)
        {
            throw new CommandNotRunnableException("the step has no command: give it a command such as [\"python\", \"train.py\"]");
        }
        var pod = PodManifest.Build(launch, _node, _options.WorkspaceClaim, _workRoot);
        var name = pod.Metadata.Name;
        try
        {
            await _client.CoreV1.CreateNamespacedPodAsync(pod, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new InvalidOperationException(
                $"pod {name} already exists in namespace {_namespace} (left by an earlier agent?): delete it with kubectl delete pod -n {_namespace} {name}", e);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest)
        {
            // The API server's validation names the field (an image reference or an env name it does not accept).
            throw new StepPreparationException($"the Kubernetes API server refused pod {name}: {e.Response.Content}", isAgentFault: false, e);
        }
        KubernetesLog.PodCreated(_logger, name, _namespace, _node.Name);
        return new RunningPod(_client, _namespace, name, launch, launch.KillGrace ?? _killGrace, _options, _time, _logger);
    }
}
