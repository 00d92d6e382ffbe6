using System.CommandLine;

using Google.Protobuf;

using Orchestrator.Cli.Rendering;
using Orchestrator.Cli.Watch;
using Orchestrator.Contracts.V1;

using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli;

/// <summary>What one command invocation works with: its parsed arguments, the console, the settings, a client.</summary>
internal sealed class CommandContext(CliConsole console, CliSettings settings, ParseResult parse, ReconnectPolicy reconnect) : IDisposable
{
    private OrchClient? client;

    /// <summary>The console.</summary>
    public CliConsole Console => console;

    /// <summary>Server, tenant and output format.</summary>
    public CliSettings Settings => settings;

    /// <summary>The parsed command line.</summary>
    public ParseResult Parse => parse;

    /// <summary>The output format.</summary>
    public OutputFormat Output => settings.Output;

    /// <summary>The client, connected on first use.</summary>
    public OrchClient Client => client ??= OrchClient.Connect(settings.Server);

    /// <summary>Who is running orch, for submitted_by and requested_by.</summary>
    public string User => console.Environment("USER") is { Length: > 0 } user ? user : System.Environment.UserName;

    /// <summary>Now, from the console's clock.</summary>
    public DateTimeOffset Now => console.Clock.GetUtcNow();

    /// <summary>Writes a line of text to stdout.</summary>
    public void WriteLine(string line) => console.Out.WriteLine(line);

    /// <summary>Writes a table or other renderable to stdout.</summary>
    public void Write(IRenderable renderable) => console.Ansi.Write(renderable);

    /// <summary>Writes the response message as JSON or YAML (per -o).</summary>
    public void Write(IMessage message) => ProtoOutput.Write(console.Out, message, settings.Output);

    /// <summary>Refuses -o yaml for a command that streams (one document per line does not fit YAML).</summary>
    public void RequireLineOutput(string command)
    {
        if (settings.Output == OutputFormat.Yaml) throw new CliUsageException($"-o yaml does not apply to '{command}'; use -o table or -o json");
    }

    /// <summary>Follows the run to its end (live on a terminal, one line per event otherwise); exit code 0 when it succeeded, 1 otherwise.</summary>
    public async Task<int> WatchAsync(string runId, CancellationToken cancellationToken)
    {
        RequireLineOutput("watch");
        var watcher = new RunWatcher(Client.Runs, reconnect, console.Clock);
        Run run;
        if (console.IsInteractive && settings.Output == OutputFormat.Table)
        {
            run = await console.Ansi.Live(new Text($"watching run {runId}…")).AutoClear(false).StartAsync(async display =>
            {
                await using var sink = new LiveWatchSink(display, console.Clock);
                return await watcher.WatchAsync(runId, sink, cancellationToken);
            });
            WriteLine(RunEventLine.Finished(run, Now));
        }
        else
        {
            run = await watcher.WatchAsync(runId, new LineWatchSink(console, settings.Output), cancellationToken);
        }

        return run.State == RunState.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <inheritdoc />
    public void Dispose() => client?.Dispose();
}
