using System.CommandLine;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch run why RUN [--step S]</c>: why a run's steps are still waiting for a node.</summary>
internal static class RunWhyCommand
{
    /// <summary>The <c>run why</c> command.</summary>
    public static Command Create(CliApp app)
    {
        var runId = new Argument<string>("RUN") { Description = "the run's id" };
        var step = new Option<string>("--step") { Description = "only this step (its name, or its key for a fanned-out step)", HelpName = "S" };
        var command = new Command("why", """
            Why a run's steps are still pending: for each step waiting for a node, per pool its position in the queue and
            every reason in words (quota, capacity with the largest free block, a step too big for any node, steps ahead).
            A step that is not waiting for a node says its state.

            Examples:
              orch run why r-20250501-abc
              orch run why r-20250501-abc --step train -o json
            """) { runId, step };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var request = new ExplainPendingRequest { RunId = context.Parse.GetValue(runId)!, Step = context.Parse.GetValue(step) ?? "" };
            var response = await context.Client.Scheduling.ExplainPendingAsync(request, OrchClient.Unary(cancellationToken));
            if (context.Output != OutputFormat.Table) context.Write(response);
            else if (response.Steps.Count == 0) context.WriteLine($"run {request.RunId} has no step waiting or running");
            else context.Write(SchedulingTables.Why(response));
            return ExitCodes.Success;
        });
        return command;
    }
}
