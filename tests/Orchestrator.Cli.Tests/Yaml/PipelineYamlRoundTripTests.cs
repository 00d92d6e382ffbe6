using Google.Protobuf.WellKnownTypes;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Tests.Yaml;

/// <summary>Verifies that ToYaml writes specs back in the same shape and that Parse(ToYaml(x)) == x, also for random specs with awkward text.</summary>
public sealed class PipelineYamlRoundTripTests
{
    private static readonly string[] AwkwardText =
    [
        "", "true", "False", "yes", "no", "null", "~", "123", "-0.5", "1e3", "0x1F", ".inf", "a: b", "- x", "#not a comment",
        "{{params.rows}}", "{{steps.train.outputs.model}} >= 0.8", "'quoted'", "\"double\"", "multi\nline", "trailing\n",
        " leading space", "trailing space ", "tab\there", "ünïcödé ✓", "[1, 2]", "{a: 1}", "&anchor", "*alias", "!tag", "%directive",
        "@at", "`tick`", "a,b", "? key", "| pipe", "> fold", "line1\n\nline3\n\n", "\\backslash", "0o17", "=", "<<",
    ];

    [Fact]
    public void ToYaml_LeavesOutUnsetFields()
    {
        Assert.Equal("name: churn\n", PipelineYaml.ToYaml(new PipelineSpec { Name = "churn" }));
    }

    [Fact]
    public void ToYaml_ChurnExample_WritesTheSameShape()
    {
        var spec = PipelineYaml.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.ChurnExample, "pipeline.yaml")));

        var yaml = PipelineYaml.ToYaml(spec);

        Assert.Contains("  type: list\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  default: [0.3, 0.1]\n", yaml, StringComparison.Ordinal);
        Assert.Contains("    gpus: 1\n", yaml, StringComparison.Ordinal);
        Assert.Contains("exit_handler:\n  name: notify\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("cache", yaml, StringComparison.Ordinal);
        Assert.Equal(spec, PipelineYaml.Parse(yaml));
    }

    [Fact]
    public void RoundTrip_EveryKindOfFieldAndValue_IsExact()
    {
        var spec = new PipelineSpec
        {
            Name = "all-kinds",
            Description = "line one\nline two\n",
            Cache = false,
            Parameters =
            {
                new ParameterSpec { Name = "s", Type = ParameterType.String, Default = Value.ForString("0.1") },
                new ParameterSpec { Name = "n", Type = ParameterType.Float, Default = Value.ForNumber(-0.0) },
                new ParameterSpec { Name = "tiny", Type = ParameterType.Float, Default = Value.ForNumber(1e-300) },
                new ParameterSpec { Name = "b", Type = ParameterType.Bool, Default = Value.ForBool(false) },
                new ParameterSpec { Name = "nothing", Default = Value.ForNull() },
                new ParameterSpec { Name = "l", Type = ParameterType.List, Default = Value.ForList(Value.ForNumber(1), Value.ForString("true"), Value.ForList(), Value.ForStruct(new Struct())) },
                new ParameterSpec { Name = "st", Default = Value.ForStruct(new Struct { Fields = { ["k"] = Value.ForString(""), ["1"] = Value.ForNull() } }) },
                new ParameterSpec { Name = "required" },
            },
            Steps =
            {
                new StepSpec { Name = "empty-resources", Command = { "true" }, Resources = new Resources(), Retry = new RetryPolicy { Factor = 1.5, Limit = 3 } },
                new StepSpec
                {
                    Name = "full",
                    Command = { "python3", "x.py", "--flag", "", "null" },
                    Env = { ["A"] = "1", ["true"] = "false" },
                    Inputs = { ["data"] = "{{steps.empty-resources.outputs.x}}" },
                    Outputs = { "x", "y" },
                    Resources = new Resources { Cpu = "500m", Memory = "1Gi", Gpus = 8, GpuModel = "NVIDIA H200" },
                    Timeout = "1h30m",
                    When = "'a' == \"a\"",
                    Foreach = "{{params.l}}",
                    After = { "empty-resources" },
                    Cache = true,
                },
            },
            ExitHandler = new StepSpec { Name = "notify", Command = { "echo", "{{run.status}}" } },
        };

        Assert.Equal(spec, PipelineYaml.Parse(PipelineYaml.ToYaml(spec)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RoundTrip_RandomSpecs_AreExact(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 40; i++)
        {
            var spec = RandomSpec(random);
            var yaml = PipelineYaml.ToYaml(spec);

            var parsed = PipelineYaml.Parse(yaml);

            Assert.True(spec.Equals(parsed), $"seed {seed} spec {i} did not round-trip:\n{yaml}\nwrote {spec}\nread  {parsed}");
        }
    }

    private static PipelineSpec RandomSpec(Random random)
    {
        var spec = new PipelineSpec { Name = Text(random), Description = Text(random) };
        if (random.Next(3) == 0) spec.Cache = random.Next(2) == 0;
        for (var i = random.Next(4); i > 0; i--)
        {
            spec.Parameters.Add(new ParameterSpec
            {
                Name = Text(random),
                Type = (ParameterType)random.Next(6),
                Default = random.Next(4) == 0 ? null : RandomValue(random, depth: 0),
                Description = Text(random),
            });
        }

        for (var i = random.Next(1, 4); i > 0; i--) spec.Steps.Add(RandomStep(random));
        if (random.Next(2) == 0) spec.ExitHandler = RandomStep(random);
        return spec;
    }

    private static StepSpec RandomStep(Random random)
    {
        var step = new StepSpec { Name = Text(random), Image = Text(random), Timeout = Text(random), When = Text(random), Foreach = Text(random) };
        for (var i = random.Next(5); i > 0; i--) step.Command.Add(Text(random));
        for (var i = random.Next(3); i > 0; i--) step.Env[Text(random)] = Text(random);
        for (var i = random.Next(3); i > 0; i--) step.Inputs[Text(random)] = Text(random);
        for (var i = random.Next(3); i > 0; i--) step.Outputs.Add(Text(random));
        for (var i = random.Next(2); i > 0; i--) step.After.Add(Text(random));
        if (random.Next(2) == 0) step.Resources = new Resources { Cpu = Text(random), Memory = Text(random), Gpus = random.Next(-2, 65), GpuModel = Text(random) };
        if (random.Next(2) == 0) step.Retry = new RetryPolicy { Limit = random.Next(0, 5), Backoff = Text(random), Factor = Math.Round(random.NextDouble() * 10, random.Next(0, 16)), MaxBackoff = Text(random) };
        if (random.Next(3) == 0) step.Cache = random.Next(2) == 0;
        return step;
    }

    private static Value RandomValue(Random random, int depth) => random.Next(depth < 2 ? 6 : 4) switch
    {
        0 => Value.ForNull(),
        1 => Value.ForBool(random.Next(2) == 0),
        2 => Value.ForNumber(random.Next(3) switch { 0 => random.Next(-1000, 1000), 1 => random.NextDouble(), _ => BitConverter.Int64BitsToDouble(random.NextInt64(0, 0x7FEFFFFFFFFFFFFF)) }),
        3 => Value.ForString(Text(random)),
        4 => Value.ForList([.. Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1))]),
        _ => Value.ForStruct(RandomStruct(random, depth + 1)),
    };

    private static Struct RandomStruct(Random random, int depth)
    {
        var fields = new Struct();
        for (var i = random.Next(4); i > 0; i--) fields.Fields["k" + Text(random)] = RandomValue(random, depth);
        return fields;
    }

    private static string Text(Random random) => random.Next(3) switch
    {
        0 => "",
        1 => AwkwardText[random.Next(AwkwardText.Length)],
        _ => AwkwardText[random.Next(AwkwardText.Length)] + AwkwardText[random.Next(AwkwardText.Length)],
    };
}
