using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Tests.Yaml;

/// <summary>
/// Verifies that no input makes PipelineYaml.Parse fail other than with a PipelineYamlException carrying a position:
/// the server parses spec_yaml from any client, so a crash there would be a server bug.
/// </summary>
public sealed class PipelineYamlRobustnessTests
{
    private static readonly string[] Tokens =
    [
        "name:", " churn", "steps:", "\n", "\n  ", "\n    ", "- ", "{", "}", "[", "]", ",", ": ", "'", "\"", "&a ", "*a", "*b", "<<: ",
        "!!str ", "!!int ", "! ", "? ", "# c", "|", ">-", "---", "...", "%YAML 1.2\n", "\t", "gpus: ", "1", "-1", "1e999", "x", "\\",
        "@", "`", "parameters:", "default: ", "type: ", "float", "resources:", "command: ", "env:", "~", "null", "true", "\u00e9", "\0",
        "\r\n", "\uFEFF", "%", "\u2028",
    ];

    private const string Punctuation = " :-[]{}'\"\n#&*!|>";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Parse_RandomTokenSoup_OnlyEverFailsWithAPositionedYamlError(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 1500; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 40)).Select(_ => Tokens[random.Next(Tokens.Length)]));
            ParsesOrExplains(text);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Parse_MutatedChurnPipeline_OnlyEverFailsWithAPositionedYamlError(int seed)
    {
        var original = File.ReadAllText(Path.Combine(RepositoryPaths.ChurnExample, "pipeline.yaml"));
        var random = new Random(seed);
        for (var i = 0; i < 600; i++)
        {
            var text = original.ToCharArray().ToList();
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                var at = random.Next(text.Count);
                switch (random.Next(3))
                {
                    case 0:
                        text.RemoveAt(at);
                        break;
                    case 1:
                        text.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                        break;
                    default:
                        text[at] = Punctuation[random.Next(Punctuation.Length)];
                        break;
                }
            }

            ParsesOrExplains(new string([.. text]));
        }
    }

    private static void ParsesOrExplains(string text)
    {
        try
        {
            PipelineYaml.Parse(text);
        }
        catch (PipelineYamlException e)
        {
            Assert.All(e.Errors, error =>
            {
                Assert.True(error.Line >= 1 && error.Column >= 1, $"no position for {error} in:\n{text}");
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            });
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name}: {e.Message}\nfor input:\n{text}");
        }
    }
}
