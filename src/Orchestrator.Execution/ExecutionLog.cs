using Microsoft.Extensions.Logging;

namespace Orchestrator.Execution;

/// <summary>Every log message of the execution layer, in one place.</summary>
internal static partial class ExecutionLog
{
    [LoggerMessage(1, LogLevel.Information, "{Executable} was not found on PATH: this node has no NVIDIA GPUs to offer")]
    public static partial void NvidiaSmiMissing(ILogger logger, string executable);

    [LoggerMessage(2, LogLevel.Warning, "{Executable} failed, so no GPUs are reported: {Reason}")]
    public static partial void NvidiaSmiFailed(ILogger logger, string executable, string reason);

    [LoggerMessage(3, LogLevel.Warning, "{Executable} printed something that is not a GPU row: {Problem}")]
    public static partial void NvidiaSmiOutputProblem(ILogger logger, string executable, string problem);

    [LoggerMessage(10, LogLevel.Information, "Node agent {Node} starting with {GpuCount} GPU(s); gateways: {Gateways}")]
    public static partial void Starting(ILogger logger, string node, int gpuCount, string gateways);

    [LoggerMessage(11, LogLevel.Information, "Registered with {Gateway} as {Node} (heartbeat every {HeartbeatMs} ms)")]
    public static partial void Registered(ILogger logger, string gateway, string node, int heartbeatMs);

    [LoggerMessage(12, LogLevel.Warning, "The gateway registered this agent as {Registered}, but its node name is {Node}")]
    public static partial void RegisteredAsOther(ILogger logger, string registered, string node);

    [LoggerMessage(13, LogLevel.Warning, "Connection to {Gateway} ended ({Reason}); reconnecting in {DelaySeconds:0.0} s")]
    public static partial void Disconnected(ILogger logger, string gateway, string reason, double delaySeconds);

    [LoggerMessage(14, LogLevel.Debug, "Ignoring a control message this agent does not know: {Kind}")]
    public static partial void UnexpectedMessage(ILogger logger, string kind);

    [LoggerMessage(15, LogLevel.Warning, "An assignment without a step reference was ignored")]
    public static partial void AssignmentWithoutStep(ILogger logger);

    [LoggerMessage(16, LogLevel.Information, "Step {Step} is already running or awaiting acknowledgement here; the repeated assignment was ignored")]
    public static partial void DuplicateAssignment(ILogger logger, string step);

    [LoggerMessage(17, LogLevel.Warning, "Step {Step} refused: {Reason}")]
    public static partial void AssignmentRefused(ILogger logger, string step, string reason);

    [LoggerMessage(18, LogLevel.Information, "Step {Step} assigned (GPUs: {Gpus})")]
    public static partial void Assigned(ILogger logger, string step, string gpus);

    [LoggerMessage(19, LogLevel.Information, "Step {Step} started as pid {Pid}")]
    public static partial void StepStarted(ILogger logger, string step, int pid);

    [LoggerMessage(20, LogLevel.Information, "Step {Step} finished: {Outcome}: {Message}")]
    public static partial void StepFinished(ILogger logger, string step, string outcome, string message);

    [LoggerMessage(21, LogLevel.Debug, "Cancel for step {Step}, which is not running here; ignored")]
    public static partial void CancelForUnknownStep(ILogger logger, string step);

    [LoggerMessage(22, LogLevel.Warning, "Stopping with {Count} report(s) the control plane has not acknowledged")]
    public static partial void ReportsUnacknowledged(ILogger logger, int count);

    [LoggerMessage(23, LogLevel.Warning, "Could not remove workspace {Directory}: {Reason}")]
    public static partial void WorkspaceNotRemoved(ILogger logger, string directory, string reason);
}
