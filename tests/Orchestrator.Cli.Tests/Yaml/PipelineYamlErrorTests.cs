using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Tests.Yaml;

/// <summary>Verifies that every kind of bad pipeline YAML is refused with the field path, the line/column and what to do.</summary>
public sealed class PipelineYamlErrorTests
{
    private const string TwoSteps = """
        name: churn
        steps:
          - name: prepare
            command: [python3, prepare.py]
          - name: train
            command: [python3, train.py]
            resources:
              gpus: {0}
        """;

    [Fact]
    public void Parse_UnknownField_NamesItSuggestsTheClosestAndListsTheValidOnes()
    {
        var error = Refused("""
            name: churn
            steps:
              - name: prepare
                resorces: {gpus: 1}
            """);

        Assert.Equal("steps[0].resorces", error.Path);
        Assert.Equal((4, 5), (error.Line, error.Column));
        Assert.Contains("unknown field 'resorces'", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'resources'?", error.Message, StringComparison.Ordinal);
        Assert.Contains("valid fields: name, command, image, env, inputs, outputs, resources, retry, timeout, when, foreach, after, cache", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CamelCaseFieldName_SuggestsTheProtoName()
    {
        var error = Refused("steps:\n  - name: a\n    resources: {gpuModel: H200}\n");

        Assert.Equal("steps[0].resources.gpuModel", error.Path);
        Assert.Contains("did you mean 'gpu_model'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WordWhereANumberBelongs_IsAWrongTypeAtThePath()
    {
        var error = Refused(string.Format(System.Globalization.CultureInfo.InvariantCulture, TwoSteps, "two"));

        Assert.Equal("steps[1].resources.gpus", error.Path);
        Assert.Equal((8, 13), (error.Line, error.Column));
        Assert.Contains("expected a whole number, got 'two'", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("line 8, column 13: steps[1].resources.gpus: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NumberOutOfRange_SaysTheRange()
    {
        var error = Refused(string.Format(System.Globalization.CultureInfo.InvariantCulture, TwoSteps, "99999999999"));

        Assert.Contains("from -2147483648 to 2147483647", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cache: maybe", "cache", "expected true or false, got 'maybe'")]
    [InlineData("steps: [{name: a, retry: {factor: fast}}]", "steps[0].retry.factor", "expected a number (e.g. 0.5 or 1e-3), got 'fast'")]
    [InlineData("name: [a, b]", "name", "expected text, got a list")]
    [InlineData("steps: prepare", "steps", "expected a list of mappings, got 'prepare'; write each item on its own line starting with '- '")]
    [InlineData("steps: [{name: a, after: prepare}]", "steps[0].after", "expected a list, got 'prepare'; write it as [prepare]")]
    [InlineData("steps: [{name: a, resources: [1]}]", "steps[0].resources", "expected a mapping with the fields of a Resources (cpu, memory, gpus, gpu_model, pools, replicas), got a list")]
    [InlineData("steps: [{name: a, env: [A=1]}]", "steps[0].env", "expected a mapping of 'key: value' lines, got a list")]
    [InlineData("parameters: [{name: p, type: flaot}]", "parameters[0].type", "unknown value 'flaot'; did you mean 'float'? use one of: string, int, float, bool, list")]
    [InlineData("steps: [{name: a, outputs: [x, ~]}]", "steps[0].outputs[1]", "expected text, got null")]
    [InlineData("parameters: [{name: p, default: .inf}]", "parameters[0].default", "not a finite number; quote it")]
    public void Parse_WrongType_SaysWhatWasExpectedAtThePath(string yaml, string path, string message)
    {
        var error = Refused(yaml);

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MappingWhereAListBelongs_SaysToWriteListItems()
    {
        var error = Refused("""
            name: churn
            steps:
              name: prepare
              command: [python3, prepare.py]
            """);

        Assert.Equal("steps", error.Path);
        Assert.Equal((3, 3), (error.Line, error.Column));
        Assert.Contains("expected a list, got a mapping; write each item on its own line starting with '- '", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CommandWrittenAsOneString_SuggestsTheArgvList()
    {
        var error = Refused("steps:\n  - name: a\n    command: python3 train.py --lr 0.1\n");

        Assert.Equal("steps[0].command", error.Path);
        Assert.Contains("write it as [python3, train.py, --lr, 0.1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_PointsAtTheSecondAndNamesTheFirst()
    {
        var error = Refused("name: a\ndescription: x\nname: b\n");

        Assert.Equal("name", error.Path);
        Assert.Equal((3, 1), (error.Line, error.Column));
        Assert.Contains("duplicate key 'name' (first at line 1); remove one of them", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateMapKey_IsReportedWithTheEntryPath()
    {
        var error = Refused("steps:\n  - name: a\n    env:\n      A: 1\n      A: 2\n");

        Assert.Equal("steps[0].env.A", error.Path);
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void Parse_SyntaxError_GivesLineAndColumn()
    {
        var error = Refused("name: churn\nsteps:\n  - name: a\n    command: [python3, x.py\n  - name: b\n");

        Assert.Equal("", error.Path);
        Assert.True(error.Line >= 4, $"line {error.Line}");
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.Contains("check the indentation and quoting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadIndentation_IsASyntaxErrorAtItsLine()
    {
        var error = Refused("name: churn\nsteps:\n  - name: a\n   command: [x]\n");

        Assert.Equal(4, error.Line);
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the document is empty")]
    [InlineData("# only a comment\n", "the document is empty")]
    [InlineData("- name: a\n", "expected a mapping with the fields of a PipelineSpec (name, description, parameters, steps, exit_handler, cache), got a list")]
    [InlineData("name: a\n---\nname: b\n", "more than one YAML document")]
    [InlineData("steps: *nowhere\n", "unknown alias '*nowhere'")]
    [InlineData("? [a, b]\n: c\n", "a mapping key must be a plain name")]
    public void Parse_DocumentLevelProblem_IsExplained(string yaml, string message)
    {
        var error = Refused(yaml);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 1);
    }

    [Fact]
    public void Parse_SeveralProblems_AreAllReportedInDocumentOrder()
    {
        var exception = Assert.Throws<PipelineYamlException>(() => PipelineYaml.Parse("""
            name: churn
            stpes: []
            parameters:
              - name: p
                type: decimal
            """));

        Assert.Equal(["stpes", "parameters[0].type"], exception.Errors.Select(e => e.Path));
        Assert.Equal([2, 5], exception.Errors.Select(e => e.Line));
        Assert.Contains("2 problems:", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasBomb_IsRefusedInsteadOfExpanded()
    {
        var lines = new List<string> { "parameters:", "  - name: p", "    description: x", "    default:", "      a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 9; i++) lines.Add($"      a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");

        var error = Refused(string.Join('\n', lines));

        Assert.Contains("expands to more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_VeryDeepNesting_IsRefusedWithoutCrashing()
    {
        var error = Refused($"parameters: [{{name: p, default: {new string('[', 5000)}{new string(']', 5000)}}}]");

        Assert.Contains("nests deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OneofFieldsBothSet_IsRefused()
    {
        var exception = Assert.Throws<PipelineYamlException>(() =>
            ProtoYaml.Parse<CreatePipelineVersionRequest>("spec: {name: a}\nspec_yaml: 'name: a'\n"));

        Assert.Equal("spec_yaml", exception.Path);
        Assert.Contains("'spec_yaml' and 'spec' cannot both be set", exception.Message, StringComparison.Ordinal);
    }

    private static PipelineYamlError Refused(string yaml)
    {
        var exception = Assert.Throws<PipelineYamlException>(() => PipelineYaml.Parse(yaml));
        return exception.Errors[0];
    }
}
