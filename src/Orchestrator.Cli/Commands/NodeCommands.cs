using System.CommandLine;

using Orchestrator.Cli.Rendering;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Commands;

/// <summary><c>orch nodes [list]|cordon|uncordon|drain</c>.</summary>
internal static class NodeCommands
{
    /// <summary>The <c>nodes</c> command group; <c>orch nodes</c> alone lists them.</summary>
    public static Command Create(CliApp app)
    {
        var nodes = new Command("nodes", """
            List GPU nodes (same as 'nodes list'), or cordon, drain and uncordon one.

            Examples:
              orch nodes
              orch nodes cordon gpu-node-3
              orch nodes drain gpu-node-3
            """);
        app.SetAction(nodes, ListAsync);
        var list = new Command("list", """
            List nodes: state, cordon, GPUs used/total with model, CPU and memory allocated/total, per-GPU utilization, last heartbeat.

            Example:
              orch nodes list -o json
            """);
        app.SetAction(list, ListAsync);
        nodes.Subcommands.Add(list);
        nodes.Subcommands.Add(Cordon(app, "cordon", cordon: true));
        nodes.Subcommands.Add(Cordon(app, "uncordon", cordon: false));
        nodes.Subcommands.Add(Drain(app));
        return nodes;
    }

    private static async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Client.Nodes.ListNodesAsync(new ListNodesRequest(), OrchClient.Unary(cancellationToken));
        if (context.Output == OutputFormat.Table) context.Write(NodeTables.Nodes(response.Nodes, context.Now));
        else context.Write(response);
        return ExitCodes.Success;
    }

    private static Command Cordon(CliApp app, string verb, bool cordon)
    {
        var name = new Argument<string>("NAME") { Description = "the node's name" };
        var command = new Command(verb, cordon
            ? "Stop placing new steps on a node; steps running there continue.\n\nExample:\n  orch nodes cordon gpu-node-3"
            : "Let the scheduler place steps on a cordoned or drained node again.\n\nExample:\n  orch nodes uncordon gpu-node-3") { name };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var request = new CordonNodeRequest { Node = context.Parse.GetValue(name)! };
            var node = cordon
                ? await context.Client.Nodes.CordonNodeAsync(request, OrchClient.Unary(cancellationToken))
                : await context.Client.Nodes.UncordonNodeAsync(request, OrchClient.Unary(cancellationToken));
            if (context.Output != OutputFormat.Table) context.Write(node);
            else if (cordon) context.WriteLine($"node {node.Name} cordoned: no new steps will be placed there; running steps continue");
            else context.WriteLine($"node {node.Name} uncordoned: steps can be placed there again");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Drain(CliApp app)
    {
        var name = new Argument<string>("NAME") { Description = "the node's name" };
        var command = new Command("drain", """
            Take a node out of placement once its running steps finish: no new steps go there; it shows 'draining'
            while steps still run, then 'drained' (it stays registered). 'orch nodes uncordon NAME' undoes it.

            Example:
              orch nodes drain gpu-node-3
            """) { name };
        app.SetAction(command, async (context, cancellationToken) =>
        {
            var node = await context.Client.Nodes.DrainNodeAsync(
                new CordonNodeRequest { Node = context.Parse.GetValue(name)! }, OrchClient.Unary(cancellationToken));
            if (context.Output != OutputFormat.Table) context.Write(node);
            else if (node.Drain == DrainState.Drained) context.WriteLine($"node {node.Name} drained: nothing runs there and no new steps will be placed there");
            else
            {
                var running = node.Allocations.Count;
                context.WriteLine($"node {node.Name} draining: no new steps will be placed there; {running} running step{(running == 1 ? "" : "s")} continue{(running == 1 ? "s" : "")} ('orch nodes' shows when it is drained)");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
