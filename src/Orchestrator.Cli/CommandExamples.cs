using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Orchestrator.Cli;

/// <summary>
/// Moves the "Example(s):" section out of each command's description and prints it after that command's --help,
/// so that command lists show one line per command while each command's own help still ends with examples.
/// </summary>
internal static class CommandExamples
{
    private const string Marker = "\n\nExample";

    /// <summary>Rewrites the descriptions under <paramref name="root"/> and hooks the examples into --help.</summary>
    public static void Install(RootCommand root)
    {
        var examples = new Dictionary<Command, string>();
        Collect(root, examples, isRoot: true);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamples((HelpAction)help.Action!, examples);
    }

    private static void Collect(Command command, Dictionary<Command, string> examples, bool isRoot)
    {
        var description = command.Description?.ReplaceLineEndings("\n") ?? "";
        var marker = description.IndexOf(Marker, StringComparison.Ordinal);
        if (marker >= 0 && !isRoot)
        {
            examples[command] = description[(marker + 2)..];
            command.Description = string.Join(' ', description[..marker].Split('\n', StringSplitOptions.TrimEntries));
        }

        foreach (var child in command.Subcommands) Collect(child, examples, isRoot: false);
    }

    private sealed class HelpWithExamples(HelpAction inner, Dictionary<Command, string> examples) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = inner.Invoke(parseResult);
            if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(text.TrimEnd());
                output.WriteLine();
            }

            return code;
        }
    }
}
