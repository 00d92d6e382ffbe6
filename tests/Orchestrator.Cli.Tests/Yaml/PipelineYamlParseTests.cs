using Google.Protobuf.WellKnownTypes;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Tests.Yaml;

/// <summary>Verifies that pipeline YAML parses to the proto spec it describes: the churn example, scalar conversion, enums, Values, aliases.</summary>
public sealed class PipelineYamlParseTests
{
    [Fact]
    public void Parse_ChurnExample_GivesTheDescribedSpec()
    {
        var spec = PipelineYaml.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.ChurnExample, "pipeline.yaml")));

        Assert.Equal("churn", spec.Name);
        Assert.Equal(["code_dir", "rows", "seed", "epochs", "learning_rates", "min_auc", "drift"], spec.Parameters.Select(p => p.Name));
        var rows = spec.Parameters.Single(p => p.Name == "rows");
        Assert.Equal(ParameterType.Int, rows.Type);
        Assert.Equal(4000, rows.Default.NumberValue);
        var rates = spec.Parameters.Single(p => p.Name == "learning_rates");
        Assert.Equal(ParameterType.List, rates.Type);
        Assert.Equal([0.3, 0.1], rates.Default.ListValue.Values.Select(v => v.NumberValue));
        Assert.Equal(ParameterType.Float, spec.Parameters.Single(p => p.Name == "min_auc").Type);
        Assert.Equal((ParameterType.Float, "0"), (spec.Parameters.Single(p => p.Name == "drift").Type, spec.Parameters.Single(p => p.Name == "drift").Default.ToString()));
        Assert.Equal("examples/churn", spec.Parameters[0].Default.StringValue);

        Assert.Equal(["prepare", "train", "evaluate", "register", "publish"], spec.Steps.Select(s => s.Name));
        var train = spec.Steps[1];
        Assert.Equal("{{params.learning_rates}}", train.Foreach);
        Assert.Equal("{{steps.prepare.outputs.dataset}}", train.Inputs["data"]);
        Assert.Contains("{{item}}", train.Command);
        Assert.Equal(1, train.Resources.Gpus);
        Assert.Equal(2, train.Retry.Limit);
        Assert.Equal("1s", train.Retry.Backoff);
        Assert.Equal("10m", train.Timeout);
        Assert.Equal(["model", "loss"], train.Outputs);
        Assert.Equal("{{steps.train.outputs.model}}", spec.Steps[2].Inputs["models"]);
        var register = spec.Steps[3].Register;
        Assert.Equal(("churn", "{{steps.evaluate.outputs.best_model}}", "{{steps.prepare.outputs.profile}}", "candidate"),
            (register.Model, register.Artifact, register.Profile, register.Alias));
        Assert.Equal("{{params.seed}}", register.Parameters["seed"]);
        Assert.Empty(spec.Steps[3].Command);
        Assert.Equal("{{steps.evaluate.outputs.auc}} >= {{params.min_auc}}", spec.Steps[4].When);
        Assert.Equal("notify", spec.ExitHandler.Name);
        Assert.Contains("{{run.status}}", spec.ExitHandler.Command);
        Assert.False(spec.HasCache);
    }

    [Theory]
    [InlineData("float")]
    [InlineData("FLOAT")]
    [InlineData("PARAMETER_TYPE_FLOAT")]
    [InlineData("parameter_type_float")]
    public void Parse_EnumByShortOrFullName_GivesTheValue(string written)
    {
        var spec = PipelineYaml.Parse($"parameters:\n  - name: lr\n    type: {written}\n");

        Assert.Equal(ParameterType.Float, spec.Parameters[0].Type);
    }

    [Theory]
    [InlineData("0.1", Value.KindOneofCase.NumberValue, "0.1")]
    [InlineData("4000", Value.KindOneofCase.NumberValue, "4000")]
    [InlineData("1e-3", Value.KindOneofCase.NumberValue, "0.001")]
    [InlineData("0x10", Value.KindOneofCase.NumberValue, "16")]
    [InlineData("true", Value.KindOneofCase.BoolValue, "true")]
    [InlineData("False", Value.KindOneofCase.BoolValue, "false")]
    [InlineData("'0.1'", Value.KindOneofCase.StringValue, "0.1")]
    [InlineData("\"true\"", Value.KindOneofCase.StringValue, "true")]
    [InlineData("!!str 12", Value.KindOneofCase.StringValue, "12")]
    [InlineData("hello world", Value.KindOneofCase.StringValue, "hello world")]
    [InlineData("yes", Value.KindOneofCase.StringValue, "yes")]
    [InlineData("null", Value.KindOneofCase.NullValue, "")]
    [InlineData("~", Value.KindOneofCase.NullValue, "")]
    public void Parse_ValueScalar_IsTypedByHowItIsWritten(string written, Value.KindOneofCase kind, string text)
    {
        var value = PipelineYaml.Parse($"parameters:\n  - name: p\n    default: {written}\n").Parameters[0].Default;

        Assert.Equal(kind, value.KindCase);
        var actual = kind switch
        {
            Value.KindOneofCase.NumberValue => value.NumberValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Value.KindOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            Value.KindOneofCase.StringValue => value.StringValue,
            _ => "",
        };
        Assert.Equal(text, actual);
    }

    [Fact]
    public void Parse_ValueCollections_BecomeListsAndStructs()
    {
        var value = PipelineYaml.Parse("parameters:\n  - name: p\n    default: [1, 'a', [true, null], {k: v}]\n").Parameters[0].Default;

        var items = value.ListValue.Values;
        Assert.Equal(1, items[0].NumberValue);
        Assert.Equal("a", items[1].StringValue);
        Assert.True(items[2].ListValue.Values[0].BoolValue);
        Assert.Equal(Value.KindOneofCase.NullValue, items[2].ListValue.Values[1].KindCase);
        Assert.Equal("v", items[3].StructValue.Fields["k"].StringValue);
    }

    [Fact]
    public void Parse_StringField_TakesAnyScalarsTextAsWritten()
    {
        var spec = PipelineYaml.Parse("""
            description: true
            steps:
              - name: a
                image: 1.50
                resources: {cpu: 2, memory: 4Gi}
                env: {N: 007, FLAG: yes, EMPTY: }
            """);

        Assert.Equal("true", spec.Description);
        Assert.Equal("1.50", spec.Steps[0].Image);
        Assert.Equal("2", spec.Steps[0].Resources.Cpu);
        Assert.Equal("007", spec.Steps[0].Env["N"]);
        Assert.Equal("yes", spec.Steps[0].Env["FLAG"]);
        Assert.Equal("", spec.Steps[0].Env["EMPTY"]);
    }

    [Fact]
    public void Parse_EmptyValueOrNull_LeavesTheFieldUnset()
    {
        var spec = PipelineYaml.Parse("name: x\ndescription:\ncache: ~\nexit_handler:\n");

        Assert.Equal("", spec.Description);
        Assert.False(spec.HasCache);
        Assert.Null(spec.ExitHandler);
    }

    [Fact]
    public void Parse_OptionalBoolSetToFalse_HasPresence()
    {
        var spec = PipelineYaml.Parse("cache: false\nsteps: [{name: a, cache: FALSE}]\n");

        Assert.True(spec.HasCache);
        Assert.False(spec.Cache);
        Assert.True(spec.Steps[0].HasCache);
    }

    [Fact]
    public void Parse_AliasAndMergeKey_ReuseTheAnchoredMapping()
    {
        var spec = PipelineYaml.Parse("""
            steps:
              - name: a
                resources: &gpu {gpus: 2, memory: 8Gi}
              - name: b
                resources: *gpu
              - name: c
                resources: {<<: *gpu, memory: 16Gi}
            """);

        Assert.Equal(2, spec.Steps[1].Resources.Gpus);
        Assert.Equal("8Gi", spec.Steps[1].Resources.Memory);
        Assert.Equal(2, spec.Steps[2].Resources.Gpus);
        Assert.Equal("16Gi", spec.Steps[2].Resources.Memory);
    }

    [Fact]
    public void Parse_NewFieldsOfOtherMessages_AreReadThroughTheDescriptorToo()
    {
        var request = ProtoYaml.Parse<SubmitRunRequest>("""
            pipeline: churn
            priority: -5
            disable_cache: true
            labels: {team: ml}
            parameters: {rows: 100, lr: '0.1'}
            """);

        Assert.Equal("churn", request.Pipeline);
        Assert.Equal(-5, request.Priority);
        Assert.True(request.DisableCache);
        Assert.Equal("ml", request.Labels["team"]);
        Assert.Equal(100, request.Parameters["rows"].NumberValue);
        Assert.Equal("0.1", request.Parameters["lr"].StringValue);
    }

    [Fact]
    public void Parse_StepPoolsAndExpectedDuration_AreRead()
    {
        var spec = PipelineYaml.Parse("""
            name: pinned
            steps:
              - name: train
                command: [python, train.py]
                resources: {gpus: 8, pools: [h200, a100]}
                expected_duration: 90m
            """);

        var train = Assert.Single(spec.Steps);
        Assert.Equal(["h200", "a100"], train.Resources.Pools);
        Assert.Equal("90m", train.ExpectedDuration);
    }
}
