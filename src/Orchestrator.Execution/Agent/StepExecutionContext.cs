using Microsoft.Extensions.Logging;

using Orchestrator.Execution.Processes;
using Orchestrator.Execution.Workspaces;

namespace Orchestrator.Execution.Agent;

/// <summary>What every step execution of one agent shares.</summary>
internal sealed record StepExecutionContext(
    string NodeName,
    StepWorkspaces Workspaces,
    IStepRunner Runner,
    TimeSpan KillGrace,
    bool KeepWorkspaces,
    TimeProvider Time,
    ILogger Logger);
