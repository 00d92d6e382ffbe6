using Microsoft.Extensions.Logging;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>The Kubernetes executor's log messages.</summary>
internal static partial class KubernetesLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Pod {Pod} could not be deleted: {Error}")]
    public static partial void PodNotDeleted(ILogger logger, string pod, string error);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Watch on pod {Pod} broke ({Error}); watching again")]
    public static partial void PodWatchBroke(ILogger logger, string pod, string error);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Created pod {Pod} in namespace {Namespace} on node {Node}")]
    public static partial void PodCreated(ILogger logger, string pod, string @namespace, string node);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Watch on nodes broke ({Error}); watching again")]
    public static partial void NodeWatchBroke(ILogger logger, string error);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "GPU node {Node} joined: {Gpus} GPUs")]
    public static partial void NodeJoined(ILogger logger, string node, int gpus);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Node {Node} takes no steps: {Reason}")]
    public static partial void NodeLeft(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Kubernetes executor: namespace {Namespace}, API server {Server}, workspace claim {Claim}")]
    public static partial void Starting(ILogger logger, string @namespace, string server, string claim);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "The agent session of node {Node} did not start: {Error}")]
    public static partial void SessionNotStarted(ILogger logger, string node, string error);
}
