using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;

namespace Orchestrator.Execution.Processes;

/// <summary>Everything needed to start one step attempt as an OS process.</summary>
/// <param name="Argv">The command and its arguments; <c>Argv[0]</c> is searched on the launch's PATH.</param>
/// <param name="Environment">The child's environment; see <see cref="ProcessStepRunner.InheritedVariables"/> for what is added.</param>
/// <param name="WorkingDirectory">An existing directory the process starts in.</param>
/// <param name="Timeout">Wall-clock limit, or null for none; past it the process group gets SIGTERM, then SIGKILL after the grace.</param>
/// <param name="OnOutput">Receives stdout and stderr as raw chunks. Called from the output readers (the two streams may
/// call at the same time); the memory is reused after the call returns, so copy what you keep.</param>
public sealed record StepLaunch(
    IReadOnlyList<string> Argv,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    TimeSpan? Timeout,
    Action<LogStreamKind, ReadOnlyMemory<byte>> OnOutput)
{
    /// <summary>How long a timed-out process has between SIGTERM and SIGKILL; null for the runner's default.</summary>
    public TimeSpan? KillGrace { get; init; }

    /// <summary>The assignment this launch runs, for runners that need more than a command (a pod's image, GPUs, node
    /// and labels); null for a bare command. The process runner ignores it.</summary>
    public StepAssignment? Assignment { get; init; }
}
