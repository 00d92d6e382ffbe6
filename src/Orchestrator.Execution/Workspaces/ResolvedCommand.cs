namespace Orchestrator.Execution.Workspaces;

/// <summary>A step's argv and environment with every path template replaced.</summary>
/// <param name="Argv">The command to run.</param>
/// <param name="Environment">The assignment's variables plus the <c>ORCH_*</c> ones and <c>CUDA_VISIBLE_DEVICES</c>.</param>
public sealed record ResolvedCommand(IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Environment);
