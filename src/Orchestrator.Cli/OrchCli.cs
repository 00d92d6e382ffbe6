using System.CommandLine;

using Orchestrator.Cli.Commands;
using Orchestrator.Cli.Watch;

namespace Orchestrator.Cli;

/// <summary>The orch command tree, and running it against a console.</summary>
internal static class OrchCli
{
    /// <summary>Builds the command tree writing to <paramref name="console"/>.</summary>
    public static RootCommand Build(CliConsole console, ReconnectPolicy? reconnect = null)
    {
        var app = new CliApp(console, reconnect ?? ReconnectPolicy.Default);
        var root = new RootCommand("""
            orch: the command line of the Orchestrator, an ML pipeline control plane.

            Examples:
              orch pipeline apply -f examples/churn/pipeline.yaml
              orch run submit churn -p code_dir=$PWD/examples/churn --watch
              orch run list --state running
              orch nodes
              orch pools
              orch run why r-20250501-abc
              orch models versions churn --metric 'auc>=0.8'
              orch sim --trace trace.csv --nodes 8x8 --policy srtf
              orch drift compare --reference train.txt --current today.txt
            """);
        app.Options.AddTo(root);
        root.Subcommands.Add(PipelineCommands.Create(app));
        root.Subcommands.Add(RunCommands.Create(app));
        root.Subcommands.Add(NodeCommands.Create(app));
        root.Subcommands.Add(PoolCommands.Create(app));
        root.Subcommands.Add(SchedulingCommands.Create(app));
        root.Subcommands.Add(ModelCommands.Create(app));
        root.Subcommands.Add(SimCommand.Create(app));
        root.Subcommands.Add(DriftCommands.Create(app));
        CommandExamples.Install(root);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsole console, ReconnectPolicy? reconnect = null, CancellationToken cancellationToken = default)
    {
        // No response files: an argument starting with '@' (a label value, a run id) is taken as written.
        var parse = Build(console, reconnect).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        // --help wins over errors (a missing argument), as the parser already decided by choosing its action.
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var error in parse.Errors) await console.Error.WriteLineAsync($"error: {error.Message}");
            await console.Error.WriteLineAsync($"see '{CommandPath(parse)} --help'");
            return ExitCodes.BadRequest;
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            ProcessTerminationTimeout = console.HandlesInterrupt ? TimeSpan.FromSeconds(2) : null,
        };
        var code = await parse.InvokeAsync(invocation, cancellationToken);
        await console.Out.FlushAsync(CancellationToken.None);
        return code;
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "orch" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
