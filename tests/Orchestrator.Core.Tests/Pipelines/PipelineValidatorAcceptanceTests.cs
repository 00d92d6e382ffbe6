using Orchestrator.Core.Pipelines;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies what a valid spec turns into: order, dependencies, parsed quantities, defaults and cache switches.</summary>
public sealed class PipelineValidatorAcceptanceTests
{
    private static readonly PipelineDefinition TuneAndDeploy = PipelineValidator.Validate(Specs.TuneAndDeploy());

    [Fact]
    public void Validate_RealisticPipeline_OrdersStepsTopologically()
    {
        Assert.Equal(["prepare", "train", "select", "deploy"], TuneAndDeploy.Steps.Select(s => s.Name));
        Assert.Equal("tune-and-deploy", TuneAndDeploy.Name);
    }

    [Fact]
    public void Validate_RealisticPipeline_DependsOnInputsConditionsAndAfterSorted()
    {
        var byName = TuneAndDeploy.Steps.ToDictionary(s => s.Name);

        Assert.Empty(byName["prepare"].DependsOn);
        Assert.Equal(["prepare"], byName["train"].DependsOn);
        Assert.Equal(["prepare", "train"], byName["select"].DependsOn);
        Assert.Equal(["select"], byName["deploy"].DependsOn);
    }

    [Fact]
    public void Validate_RealisticPipeline_ParsesResourcesRetryAndTimeout()
    {
        var train = TuneAndDeploy.Steps.Single(s => s.Name == "train");

        Assert.Equal(new ResourceRequest(4000, 16L << 30, 1, "NVIDIA H200"), train.Resources);
        Assert.Equal(new RetryPolicy(2, TimeSpan.FromSeconds(10), 3, TimeSpan.FromMinutes(2)), train.Retry);
        Assert.Equal(TimeSpan.FromMinutes(90), train.Timeout);
        Assert.Equal("learning_rates", train.ForeachParameter);
        Assert.Equal(["model", "auc"], train.Outputs);
    }

    [Fact]
    public void Validate_UnsetResourcesRetryAndTimeout_GetTheDocumentedDefaults()
    {
        var prepare = TuneAndDeploy.Steps.Single(s => s.Name == "prepare");

        Assert.Equal(ResourceRequest.Default, prepare.Resources);
        Assert.Equal(new ResourceRequest(1000, 512L << 20, 0, ""), prepare.Resources);
        Assert.Equal(new RetryPolicy(0, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(5)), prepare.Retry);
        Assert.Null(prepare.Timeout);
        Assert.Null(prepare.When);
        Assert.Null(prepare.ForeachParameter);
    }

    [Fact]
    public void Validate_Parameters_KeepDeclarationOrderWithCanonicalDefaults()
    {
        Assert.Equal(
            [
                new ParameterDefinition("dataset", ParameterType.String, "s3://data/train.csv"),
                new ParameterDefinition("learning_rates", ParameterType.List, "[0.1,0.01,0.001]"),
                new ParameterDefinition("min_auc", ParameterType.Float, "0.8"),
                new ParameterDefinition("epochs", ParameterType.Int, "3"),
            ],
            TuneAndDeploy.Parameters);
    }

    [Fact]
    public void Validate_ExitHandler_IsKeptApartAndNeverCached()
    {
        var exit = Assert.IsType<StepDefinition>(TuneAndDeploy.ExitHandler);

        Assert.Equal("notify", exit.Name);
        Assert.True(exit.IsExitHandler);
        Assert.False(exit.CacheEnabled);
        Assert.DoesNotContain(TuneAndDeploy.Steps, s => s.IsExitHandler);
    }

    [Fact]
    public void Validate_Templates_AreParsedWithWhitespaceInsideBraces()
    {
        var deploy = TuneAndDeploy.Steps.Single(s => s.Name == "deploy");

        Assert.Equal(new Reference(ReferenceKind.Input, "model"), Assert.Single(deploy.Command[2].References));
        Assert.Equal("{{steps.select.outputs.auc}} >= {{params.min_auc}}", deploy.When!.Source);
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, false, false)]
    [InlineData(false, null, false)]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    public void Validate_CacheSwitch_IsOnlyOnWhenPipelineAndStepAllowIt(bool? pipeline, bool? step, bool expected)
    {
        var spec = Pipeline(Step("a", "true") with { Cache = step }) with { Cache = pipeline };

        var definition = PipelineValidator.Validate(spec);

        Assert.Equal(expected, definition.Steps[0].CacheEnabled);
        Assert.Equal(pipeline ?? true, definition.CacheEnabled);
    }

    [Fact]
    public void Validate_IndependentSteps_KeepDeclarationOrder()
    {
        var spec = Pipeline(Step("c", "true"), Step("a", "true") with { After = ["c"] }, Step("b", "true"), Step("d", "true") with { After = ["b"] });

        var definition = PipelineValidator.Validate(spec);

        Assert.Equal(["c", "a", "b", "d"], definition.Steps.Select(s => s.Name));
    }

    [Fact]
    public void Validate_QuantitiesAndDurationsInOtherForms_AreAccepted()
    {
        var spec = Pipeline(Step("a", "true") with
        {
            Resources = new ResourcesSpec { Cpu = "500m", Memory = "1.5Gi", Gpus = 64 },
            Retry = new RetrySpec { Limit = 100, Backoff = "0s", Factor = 10, MaxBackoff = "24h" },
            Timeout = "7d",
        });

        var step = PipelineValidator.Validate(spec).Steps[0];

        Assert.Equal(new ResourceRequest(500, 1_610_612_736, 64, ""), step.Resources);
        Assert.Equal(new RetryPolicy(100, TimeSpan.Zero, 10, TimeSpan.FromHours(24)), step.Retry);
        Assert.Equal(TimeSpan.FromDays(7), step.Timeout);
    }

    [Fact]
    public void Validate_ExitHandler_MayUseRunStatusAndAfterAndAConditionOnOutputs()
    {
        var spec = Pipeline(Step("a", "true") with { Outputs = ["auc"] }) with
        {
            ExitHandler = Step("end", "notify", "{{run.status}}") with
            {
                After = ["a"],
                When = "{{steps.a.outputs.auc}} < 0.5",
                Env = Map(("STATUS", "{{run.status}}")),
            },
        };

        var exit = PipelineValidator.Validate(spec).ExitHandler!;

        Assert.Empty(exit.DependsOn);
        Assert.NotNull(exit.When);
    }

    [Fact]
    public void Validate_NamesAtTheLengthLimit_AreAccepted()
    {
        var name = new string('a', 63);
        var spec = Pipeline(Step(name, "true") with { Outputs = [new string('o', 63)] }) with
        {
            Name = name,
            Parameters = [Parameter("_" + new string('p', 62), ParameterType.String, "")],
        };

        var definition = PipelineValidator.Validate(spec);

        Assert.Equal(name, definition.Name);
        Assert.Equal("", definition.Parameters[0].Default);
    }

    [Fact]
    public void Validate_TenThousandStepChain_IsAcceptedInOrder()
    {
        // Declared backwards, so every step must be moved behind its dependency.
        var steps = Enumerable.Range(0, PipelineLimits.MaxSteps)
            .Select(i => Step($"s{i}", "true") with { After = i == 0 ? [] : [$"s{i - 1}"] })
            .Reverse()
            .ToArray();

        var definition = PipelineValidator.Validate(Pipeline(steps));

        Assert.Equal(Enumerable.Range(0, PipelineLimits.MaxSteps).Select(i => $"s{i}"), definition.Steps.Select(s => s.Name));
    }
}
