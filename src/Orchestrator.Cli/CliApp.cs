using System.CommandLine;

using Orchestrator.Cli.Watch;

namespace Orchestrator.Cli;

/// <summary>What every command group is built with: the console, the global options, and how actions run.</summary>
internal sealed class CliApp(CliConsole console, ReconnectPolicy reconnect)
{
    /// <summary>The console commands write to.</summary>
    public CliConsole Console => console;

    /// <summary>--server, --tenant, -o.</summary>
    public GlobalOptions Options { get; } = new(console);

    /// <summary>Makes <paramref name="body"/> the command's action; every error it raises becomes a message and an exit code.</summary>
    public void SetAction(Command command, Func<CommandContext, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = Options.Read(parse);
            try
            {
                using var context = new CommandContext(console, settings, parse, reconnect);
                return await body(context, cancellationToken);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return CliErrors.Report(e, console, settings.Server);
            }
        });
    }
}
