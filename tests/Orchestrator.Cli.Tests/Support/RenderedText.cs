using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>Renders Spectre renderables to plain text, as a redirected console would show them.</summary>
public static class RenderedText
{
    /// <summary>The renderable as lines of text without colour or trailing blanks.</summary>
    public static IReadOnlyList<string> Lines(IRenderable renderable)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        console.Write(renderable);
        return writer.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()).ToList();
    }
}
