using Orchestrator.Core.Pipelines;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies the rules of register steps: a valid one is accepted with its dependencies and its one output,
/// and each mistake is rejected with exactly one error at its field path (<c>steps[1].register.artifact</c>) and a fix.</summary>
public sealed class RegisterStepValidationTests
{
    private static readonly StepSpec Train = Step("train", "python", "train.py") with { Outputs = ["model", "metrics", "profile"] };

    private static readonly RegisterSpec Valid = new()
    {
        Model = "churn",
        Artifact = "{{steps.train.outputs.model}}",
        Metrics = "{{steps.train.outputs.metrics}}",
        Profile = "{{steps.train.outputs.profile}}",
        Parameters = Map(("learning_rate", "{{params.lr}}")),
        Tags = Map(("run", "{{run.id}}")),
        Alias = "candidate",
    };

    private static PipelineSpec With(Func<RegisterSpec, RegisterSpec> change, Func<StepSpec, StepSpec>? step = null) => Pipeline(
        Train,
        (step ?? (s => s))(new StepSpec { Name = "register", Register = change(Valid) })) with
    {
        Parameters = [Parameter("lr", ParameterType.Float, "0.1")],
    };

    [Fact]
    public void Validate_RegisterStep_DependsOnItsProducersAndDeclaresVersion()
    {
        var definition = PipelineValidator.Validate(With(r => r) with
        {
            Steps = [Train, new StepSpec { Name = "register", Register = Valid }, Step("report", "cat", "{{inputs.v}}") with { Inputs = Map(("v", "{{steps.register.outputs.version}}")) }],
        });

        var register = definition.Steps.Single(s => s.Name == "register");
        Assert.True(register.IsRegister);
        Assert.Equal(["train"], register.DependsOn);
        Assert.Equal(["version"], register.Outputs);
        Assert.False(register.CacheEnabled);
        Assert.Equal(new Reference(ReferenceKind.StepOutput, "model", "train"), register.Register!.Artifact);
        Assert.Equal(["register"], definition.Steps.Single(s => s.Name == "report").DependsOn);
    }

    public static TheoryData<string, PipelineSpec, string, string> Cases() => new()
    {
        { "no model", With(r => r with { Model = "" }), "steps[1].register.model", "model is required" },
        { "bad model name", With(r => r with { Model = "Churn_Model" }), "steps[1].register.model", "not a valid model name" },
        { "no artifact", With(r => r with { Artifact = "" }), "steps[1].register.artifact", "artifact is required" },
        { "artifact as a literal", With(r => r with { Artifact = "model.pkl" }), "steps[1].register.artifact", "exactly one upstream output" },
        { "artifact with text around", With(r => r with { Artifact = "x{{steps.train.outputs.model}}" }), "steps[1].register.artifact", "exactly one upstream output" },
        { "undeclared output", With(r => r with { Metrics = "{{steps.train.outputs.auc}}" }), "steps[1].register.metrics", "declares no output \"auc\"" },
        { "unknown step", With(r => r with { Profile = "{{steps.fit.outputs.profile}}" }), "steps[1].register.profile", "unknown step \"fit\"" },
        { "training data from itself", With(r => r with { TrainingData = "{{steps.register.outputs.version}}" }), "steps[1].register.training_data", "cannot read its own output" },
        { "parameter from a step output", With(r => r with { Parameters = Map(("lr", "{{steps.train.outputs.model}}")) }), "steps[1].register.parameters.lr", "may use {{params.NAME}}, {{run.id}}" },
        { "unknown parameter", With(r => r with { Tags = Map(("trigger", "{{params.trigger}}")) }), "steps[1].register.tags.trigger", "unknown parameter \"trigger\"" },
        { "bad tag key", With(r => r with { Tags = Map(("-x", "1")) }), "steps[1].register.tags.-x", "not a valid name" },
        { "champion alias", With(r => r with { Alias = "champion" }), "steps[1].register.alias", "cannot make a version champion" },
        { "numeric alias", With(r => r with { Alias = "12" }), "steps[1].register.alias", "not a valid alias" },
        { "with a command", With(r => r, s => s with { Command = ["echo"] }), "steps[1].command", "runs no process" },
        { "with outputs", With(r => r, s => s with { Outputs = ["model"] }), "steps[1].outputs", "its one output, version" },
        { "with resources", With(r => r, s => s with { Resources = new ResourcesSpec { Gpus = 1 } }), "steps[1].resources", "remove resources" },
        { "with retries", With(r => r, s => s with { Retry = new RetrySpec { Limit = 2 } }), "steps[1].retry", "not retried" },
        { "with foreach", With(r => r, s => s with { Foreach = "{{params.lr}}" }), "steps[1].foreach", "cannot fan out" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_InvalidRegisterStep_IsRejectedWithTheFieldAndAFix(string description, PipelineSpec spec, string field, string message)
    {
        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        var only = Assert.Single(error.Errors);
        Assert.True(only.Field == field, $"{description}: expected field {field}, got {only}");
        Assert.Contains(message, only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RegisterAsExitHandler_IsRejected()
    {
        var spec = Pipeline(Step("a", "true")) with { ExitHandler = new StepSpec { Name = "end", Register = new RegisterSpec { Model = "churn", Artifact = "{{steps.a.outputs.x}}" } } };

        var error = Assert.Throws<ValidationException>(() => PipelineValidator.Validate(spec));

        Assert.Contains(error.Errors, e => e.Field == "exit_handler.register" && e.Message.Contains("cannot register a model", StringComparison.Ordinal));
    }

    [Fact]
    public void Digest_ChangesWithTheRegisterSpec()
    {
        var a = PipelineValidator.Digest(With(r => r));
        var b = PipelineValidator.Digest(With(r => r with { Alias = "staging" }));

        Assert.NotEqual(a, b);
        Assert.Equal(a, PipelineValidator.Digest(With(r => r)));
    }
}
