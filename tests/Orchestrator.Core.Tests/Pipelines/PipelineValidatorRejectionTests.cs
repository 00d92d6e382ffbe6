using Orchestrator.Core.Pipelines;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies that each invalid spec is rejected with exactly one error at the exact field path, with a message saying what to change.</summary>
public sealed class PipelineValidatorRejectionTests
{
    private static readonly PipelineSpec Valid = Pipeline(Step("a", "echo", "hi"));

    private static PipelineSpec WithA(Func<StepSpec, StepSpec> change) => Valid.WithStep(0, change);

    private static PipelineSpec Two(StepSpec first, StepSpec second) => Pipeline(first, second);

    private static PipelineSpec WithParameters(params ParameterSpec[] parameters) => Valid with { Parameters = parameters };

    public static TheoryData<string, PipelineSpec, string, string> Cases() => new()
    {
        // Pipeline
        { "empty name", Valid with { Name = "" }, "name", "needs a name" },
        { "uppercase name", Valid with { Name = "Train_Model" }, "name", "not a valid pipeline name" },
        { "name of 64 characters", Valid with { Name = new string('a', 64) }, "name", "1-63 lowercase" },
        { "name with a trailing newline", Valid with { Name = "demo\n" }, "name", "not a valid pipeline name" },
        { "description over 64 KiB", Valid with { Description = new string('x', 65 * 1024) }, "description", "64 KiB" },
        { "no steps", Valid with { Steps = [] }, "steps", "at least one step" },
        { "only an exit handler", Valid with { Steps = [], ExitHandler = Step("end", "true") }, "steps", "besides the exit handler" },
        { "too many steps", Pipeline(Enumerable.Range(0, 10_001).Select(i => Step($"s{i}", "true")).ToArray()), "steps", "limit of 10,000" },
        { "too many parameters", WithParameters(Enumerable.Range(0, 1_001).Select(i => Parameter($"p{i}", ParameterType.Int, "1")).ToArray()), "parameters", "limit of 1,000" },

        // Parameters
        { "parameter name starting with a digit", WithParameters(Parameter("1lr", ParameterType.Float, "0.1")), "parameters[0].name", "not a valid parameter name" },
        { "duplicate parameter", WithParameters(Parameter("lr", ParameterType.Float, "0.1"), Parameter("lr", ParameterType.Int, "1")), "parameters[1].name", "already declared at parameters[0]" },
        { "int default not an integer", WithParameters(Parameter("epochs", ParameterType.Int, "abc")), "parameters[0].default", "expected an integer" },
        { "float default infinite", WithParameters(Parameter("lr", ParameterType.Float, "Infinity")), "parameters[0].default", "expected a finite number" },
        { "bool default yes", WithParameters(Parameter("deploy", ParameterType.Bool, "yes")), "parameters[0].default", "expected true or false" },
        { "list default nested", WithParameters(Parameter("grid", ParameterType.List, "[[1, 2]]")), "parameters[0].default", "nested lists" },
        { "list default not JSON", WithParameters(Parameter("grid", ParameterType.List, "a,b")), "parameters[0].default", "JSON array" },
        { "undefined parameter type", WithParameters(Parameter("x", (ParameterType)99, "1")), "parameters[0].type", "use string, int, float, bool or list" },

        // Step names
        { "uppercase step name", WithA(s => s with { Name = "Train" }), "steps[0].name", "not a valid step name" },
        { "empty step name", WithA(s => s with { Name = "" }), "steps[0].name", "needs a name" },
        { "duplicate step name", Two(Step("a", "true"), Step("a", "false")), "steps[1].name", "already used by steps[0]" },
        { "exit handler named like a step", Valid with { ExitHandler = Step("a", "true") }, "exit_handler.name", "already used by steps[0]" },

        // Command
        { "empty command", WithA(s => s with { Command = [] }), "steps[0].command", "command is empty" },
        { "command too long", WithA(s => s with { Command = Enumerable.Repeat("x", 4_097).ToArray() }), "steps[0].command", "limit of 4,096" },
        { "command element over 64 KiB", WithA(s => s with { Command = ["echo", new string('x', 70_000)] }), "steps[0].command[1]", "64 KiB" },
        { "unclosed template", WithA(s => s with { Command = ["echo", "{{params.x"] }), "steps[0].command[1]", "unclosed '{{'" },
        { "unknown template form", WithA(s => s with { Command = ["echo", "{{foo.bar}}"] }), "steps[0].command[1]", "valid forms are {{params.NAME}}" },
        { "undeclared parameter in command", WithA(s => s with { Command = ["echo", "{{params.lr}}"] }), "steps[0].command[1]", "unknown parameter \"lr\"" },
        { "item without foreach", WithA(s => s with { Command = ["echo", "{{item}}"] }), "steps[0].command[1]", "only in a step with foreach" },
        { "undeclared input in command", WithA(s => s with { Command = ["cat", "{{inputs.data}}"] }), "steps[0].command[1]", "does not declare" },
        { "undeclared output in command", WithA(s => s with { Command = ["touch", "{{outputs.model}}"] }), "steps[0].command[1]", "add model to outputs" },
        { "run status outside the exit handler", WithA(s => s with { Command = ["echo", "{{run.status}}"] }), "steps[0].command[1]", "exit handler" },
        {
            "step output in command",
            Two(Step("a", "true") with { Outputs = ["model"] }, Step("b", "cat", "{{steps.a.outputs.model}}")),
            "steps[1].command[1]", "declare an input model: '{{steps.a.outputs.model}}' and use {{inputs.model}}"
        },

        // Env
        { "env name starting with a digit", WithA(s => s with { Env = Map(("1X", "v")) }), "steps[0].env.1X", "not a valid environment variable name" },
        { "env name with the ORCH_ prefix", WithA(s => s with { Env = Map(("ORCH_TOKEN", "v")) }), "steps[0].env.ORCH_TOKEN", "reserved" },
        { "env CUDA_VISIBLE_DEVICES", WithA(s => s with { Env = Map(("CUDA_VISIBLE_DEVICES", "0")) }), "steps[0].env.CUDA_VISIBLE_DEVICES", "resources.gpus" },
        { "undeclared parameter in env", WithA(s => s with { Env = Map(("LR", "{{params.lr}}")) }), "steps[0].env.LR", "unknown parameter \"lr\"" },

        // Inputs
        { "input name starting with a dash", WithA(s => s with { Inputs = Map(("-x", "1")) }), "steps[0].inputs.-x", "not a valid input name" },
        {
            "upstream output with text around it",
            Two(Step("a", "true") with { Outputs = ["data"] }, Step("b", "true") with { Inputs = Map(("data", "s3://{{steps.a.outputs.data}}")) }),
            "steps[1].inputs.data", "must be the whole input"
        },
        { "input from an unknown step", WithA(s => s with { Inputs = Map(("data", "{{steps.nope.outputs.data}}")) }), "steps[0].inputs.data", "unknown step \"nope\"" },
        { "input from the step itself", WithA(s => s with { Outputs = ["data"], Inputs = Map(("data", "{{steps.a.outputs.data}}")) }), "steps[0].inputs.data", "cannot read its own output" },
        {
            "input from the exit handler",
            Valid.WithStep(0, s => s with { Inputs = Map(("log", "{{steps.end.outputs.log}}")) }) with { ExitHandler = Step("end", "true") with { Outputs = ["log"] } },
            "steps[0].inputs.log", "exit handler"
        },
        {
            "input of an undeclared output",
            Two(Step("a", "true") with { Outputs = ["model"] }, Step("b", "true") with { Inputs = Map(("data", "{{steps.a.outputs.data}}")) }),
            "steps[1].inputs.data", "declares no output \"data\": its outputs are model"
        },
        {
            "exit handler input from a step",
            Valid.WithStep(0, s => s with { Outputs = ["report"] }) with { ExitHandler = Step("end", "true") with { Inputs = Map(("r", "{{steps.a.outputs.report}}")) } },
            "exit_handler.inputs.r", "may not exist"
        },
        { "input reading an input path", WithA(s => s with { Inputs = Map(("a", "x"), ("b", "{{inputs.a}}")) }), "steps[0].inputs.b", "cannot be used in an input" },
        { "input reading run status", WithA(s => s with { Inputs = Map(("s", "{{run.status}}")) }), "steps[0].inputs.s", "exit handler's command or env" },

        // Outputs
        { "duplicate output", WithA(s => s with { Outputs = ["model", "model"] }), "steps[0].outputs[1]", "declared twice" },
        { "output name with a slash", WithA(s => s with { Outputs = ["a/b"] }), "steps[0].outputs[0]", "not a valid output name" },

        // When
        { "condition that does not parse", WithA(s => s with { When = "1 <" }), "steps[0].when", "at column 4" },
        { "condition with an undeclared parameter", WithA(s => s with { When = "{{params.go}} == true" }), "steps[0].when", "unknown parameter \"go\"" },
        {
            "condition reading a fan-out step",
            Two(Step("a", "true") with { Outputs = ["auc"], Foreach = "{{params.lrs}}" }, Step("b", "true") with { When = "{{steps.a.outputs.auc}} > 0.5" })
                with { Parameters = [Parameter("lrs", ParameterType.List, "[1,2]")] },
            "steps[1].when", "collect them in a downstream step"
        },
        { "condition reading the run id", WithA(s => s with { When = "{{run.id}} == 'x'" }), "steps[0].when", "a condition cannot read {{run.id}}" },

        // Foreach
        { "foreach that is not a reference", WithA(s => s with { Foreach = "a,b" }), "steps[0].foreach", "exactly one list parameter" },
        { "foreach over an int parameter", WithA(s => s with { Foreach = "{{params.n}}" }) with { Parameters = [Parameter("n", ParameterType.Int, "3")] }, "steps[0].foreach", "parameter \"n\" is int" },
        { "foreach over an unknown parameter", WithA(s => s with { Foreach = "{{params.grid}}" }), "steps[0].foreach", "unknown parameter \"grid\"" },
        {
            "foreach on the exit handler",
            Valid with { Parameters = [Parameter("l", ParameterType.List, "[1]")], ExitHandler = Step("end", "true") with { Foreach = "{{params.l}}" } },
            "exit_handler.foreach", "cannot fan out"
        },

        // After
        { "after an unknown step", WithA(s => s with { After = ["nope"] }), "steps[0].after[0]", "unknown step \"nope\"" },
        { "after itself", WithA(s => s with { After = ["a"] }), "steps[0].after[0]", "cannot run after itself" },
        { "after the exit handler", WithA(s => s with { After = ["end"] }) with { ExitHandler = Step("end", "true") }, "steps[0].after[0]", "no step can run after it" },

        // Cycles
        {
            "cycle through after",
            Pipeline(Step("a", "true") with { After = ["c"] }, Step("b", "true") with { After = ["a"] }, Step("c", "true") with { After = ["b"] }),
            "steps[0].after", "dependency cycle a -> b -> c -> a"
        },
        {
            "cycle through inputs",
            Two(Step("a", "true") with { Outputs = ["x"], Inputs = Map(("y", "{{steps.b.outputs.y}}")) },
                Step("b", "true") with { Outputs = ["y"], Inputs = Map(("x", "{{steps.a.outputs.x}}")) }),
            "steps[0].inputs.y", "dependency cycle a -> b -> a"
        },

        // Resources
        { "zero CPU", WithA(s => s with { Resources = new ResourcesSpec { Cpu = "0" } }), "steps[0].resources.cpu", "more than 0 and at most 1024 cores" },
        { "too much CPU", WithA(s => s with { Resources = new ResourcesSpec { Cpu = "2000" } }), "steps[0].resources.cpu", "at most 1024 cores" },
        { "CPU not a quantity", WithA(s => s with { Resources = new ResourcesSpec { Cpu = "two" } }), "steps[0].resources.cpu", "expected CPU cores such as" },
        { "too much memory", WithA(s => s with { Resources = new ResourcesSpec { Memory = "65Ti" } }), "steps[0].resources.memory", "at most 64Ti" },
        { "memory in millibytes", WithA(s => s with { Resources = new ResourcesSpec { Memory = "512m" } }), "steps[0].resources.memory", "write \"512Mi\"" },
        { "too many GPUs", WithA(s => s with { Resources = new ResourcesSpec { Gpus = 65 } }), "steps[0].resources.gpus", "between 0 and 64" },
        { "negative GPUs", WithA(s => s with { Resources = new ResourcesSpec { Gpus = -1 } }), "steps[0].resources.gpus", "between 0 and 64" },
        { "GPU model too long", WithA(s => s with { Resources = new ResourcesSpec { GpuModel = new string('h', 129) } }), "steps[0].resources.gpu_model", "more than 128" },

        // Retry and timeout
        { "too many retries", WithA(s => s with { Retry = new RetrySpec { Limit = 101 } }), "steps[0].retry.limit", "between 0 and 100" },
        { "backoff over a day", WithA(s => s with { Retry = new RetrySpec { Backoff = "25h" } }), "steps[0].retry.backoff", "at most 24h" },
        { "backoff without a unit", WithA(s => s with { Retry = new RetrySpec { Backoff = "10" } }), "steps[0].retry.backoff", "write e.g. \"10s\"" },
        { "factor below one", WithA(s => s with { Retry = new RetrySpec { Factor = 0.5 } }), "steps[0].retry.factor", "between 1 and 10" },
        { "factor NaN", WithA(s => s with { Retry = new RetrySpec { Factor = double.NaN } }), "steps[0].retry.factor", "between 1 and 10" },
        { "max backoff under backoff", WithA(s => s with { Retry = new RetrySpec { Backoff = "10m" } }), "steps[0].retry.max_backoff", "make it at least 10m" },
        { "zero timeout", WithA(s => s with { Timeout = "0s" }), "steps[0].timeout", "more than 0 and at most 7d" },
        { "timeout over a week", WithA(s => s with { Timeout = "8d" }), "steps[0].timeout", "at most 7d" },
        { "negative timeout", WithA(s => s with { Timeout = "-5m" }), "steps[0].timeout", "cannot be negative" },
        { "timeout with an unknown unit", WithA(s => s with { Timeout = "5w" }), "steps[0].timeout", "unknown unit \"w\"" },
        { "half a surrogate pair", WithA(s => s with { Command = ["echo", "bad \ud800 text"] }), "steps[0].command[1]", "\"bad \\ud800 text\" is not valid Unicode text" },
        { "env value over 64 KiB in multi-byte characters", WithA(s => s with { Env = Map(("NOTE", new string('é', 40_000))) }), "steps[0].env.NOTE", "too long: more than 64 KiB" },
        { "image over 64 KiB", WithA(s => s with { Image = new string('i', 65 * 1024 + 1) }), "steps[0].image", "64 KiB" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_InvalidSpec_IsRejectedWithTheFieldAndAFix(string description, PipelineSpec spec, string field, string message)
    {
        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        var only = Assert.Single(error.Errors);
        Assert.True(only.Field == field, $"{description}: expected field {field}, got {only}");
        Assert.Contains(message, only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralMistakes_ReportsEveryOneAtOnce()
    {
        var spec = new PipelineSpec
        {
            Name = "Bad Name",
            Parameters = [Parameter("epochs", ParameterType.Int, "ten")],
            Steps =
            [
                Step("a", "echo", "{{params.missing}}") with { Resources = new ResourcesSpec { Cpu = "-1" } },
                Step("b", "true") with { After = ["ghost"], Timeout = "soon" },
            ],
        };

        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        Assert.Equal(
            ["name", "parameters[0].default", "steps[0].command[1]", "steps[0].resources.cpu", "steps[1].after[0]", "steps[1].timeout"],
            error.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Contains("steps[1].after[0]: unknown step \"ghost\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NullsWhereValuesAreNeeded_AreReportedNotCrashedOn()
    {
        var spec = Pipeline(
            Step("a", "echo", null!) with { Env = new Dictionary<string, string> { ["X"] = null! }, Resources = null! },
            null!) with { Description = null! };

        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        Assert.Equal(["description", "steps[0].command[1]", "steps[0].env.X", "steps[0].resources", "steps[1]"], error.Errors.Select(e => e.Field));
        Assert.All(error.Errors, e => Assert.Equal("is null: give a value, or leave the field out", e.Message));
    }

    [Fact]
    public void Validate_TwoSeparateCycles_ReportsBoth()
    {
        var spec = Pipeline(
            Step("a", "true") with { After = ["b"] },
            Step("b", "true") with { After = ["a"] },
            Step("c", "true") with { After = ["d"] },
            Step("d", "true") with { After = ["c"] },
            Step("e", "true") with { After = ["a", "c"] });

        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        Assert.Equal(2, error.Errors.Count);
        Assert.Equal("steps[0].after", error.Errors[0].Field);
        Assert.Contains("a -> b -> a", error.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal("steps[2].after", error.Errors[1].Field);
        Assert.Contains("c -> d -> c", error.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CycleThroughACondition_IsReportedAtTheCondition()
    {
        var spec = Pipeline(
            Step("a", "true") with { Outputs = ["ok"], When = "{{steps.b.outputs.ok}} == 'yes'" },
            Step("b", "true") with { Outputs = ["ok"], After = ["a"] });

        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        var only = Assert.Single(error.Errors);
        Assert.Equal("steps[0].when", only.Field);
        Assert.Contains("a -> b -> a", only.Message, StringComparison.Ordinal);
    }
}
