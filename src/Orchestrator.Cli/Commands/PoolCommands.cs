using System.CommandLine;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch pools</c>: each pool's nodes, GPUs, queue and per-tenant use.</summary>
internal static class PoolCommands
{
    /// <summary>The <c>pools</c> command.</summary>
    public static Command Create(CliApp app)
    {
        var command = new Command("pools", """
            List scheduling pools: nodes, GPUs free/total, steps queued and running, and per tenant its GPUs in use
            against its quota, how many of them are borrowed, and its queued steps.

            Examples:
              orch pools
              orch pools -o json
            """);
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var response = await context.Client.Scheduling.ListPoolsAsync(new ListPoolsRequest(), OrchClient.Unary(cancellationToken));
            if (context.Output == OutputFormat.Table) context.Write(SchedulingTables.Pools(response));
            else context.Write(response);
            return ExitCodes.Success;
        });
        return command;
    }
}
