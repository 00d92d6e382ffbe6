using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies dispatch-time resolution: conditions, input binding (value, artifact, collected), skip propagation and template filling.</summary>
public sealed class StepResolverTests
{
    private readonly RunPlan plan = RunPlanner.Plan(PipelineValidator.Validate(Specs.TuneAndDeploy()), new Dictionary<string, string>());
    private readonly Dictionary<string, StepView> views = [];

    private static StepOutput Output(string name, string? value = null) =>
        new(name, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name + value))), value?.Length ?? 1_000_000, value);

    private void Finished(string key, StepState state, params StepOutput[] outputs) => views[key] = new StepView(state, state.HasOutputs() ? outputs : null);

    private void AllSucceeded()
    {
        Finished("prepare", StepState.Succeeded, Output("dataset"));
        for (var i = 0; i < 3; i++) Finished($"train[{i}]", StepState.Succeeded, Output("model", null), Output("auc", $"0.9{i}"));
        Finished("select", StepState.Succeeded, Output("best"), Output("auc", "0.92\n"));
        Finished("deploy", StepState.Succeeded);
    }

    private StepResolution Resolve(string key, string runStatus = "Running") =>
        StepResolver.Resolve(plan, plan.Steps.ToList().FindIndex(s => s.Key == key), new StepContext("run-42", runStatus, i =>
            views.TryGetValue(plan.Steps[i].Key, out var view) ? view : new StepView(StepState.Waiting, null)));

    private ResolvedStep Run(string key, string runStatus = "Running") =>
        Assert.IsType<StepResolution.Run>(Resolve(key, runStatus)).Step;

    [Fact]
    public void Resolve_FirstStep_FillsParametersAndLeavesOutputPathsForTheAgent()
    {
        var step = Run("prepare");

        Assert.Equal("prepare", step.Key);
        Assert.Equal(["python", "prepare.py", "--source", "s3://data/train.csv", "--out", "{{outputs.dataset}}"], step.Command);
        Assert.Empty(step.Inputs);
        Assert.Equal(["dataset"], step.Outputs);
        Assert.Equal(ResourceRequest.Default, step.Resources);
    }

    [Fact]
    public void Resolve_FanOutInstance_BindsItemArtifactAndParameters()
    {
        AllSucceeded();

        var step = Run("train[1]");

        Assert.Equal(["python", "train.py", "--data", "{{inputs.data}}", "--lr=0.01", "--epochs", "3", "--out", "{{outputs.model}}", "--auc", "{{outputs.auc}}"], step.Command);
        Assert.Equal(new Dictionary<string, string> { ["SEED"] = "42", ["DATASET"] = "s3://data/train.csv" }, step.Env);
        Assert.Equal(
            [new ResolvedInput("data", null, views["prepare"].Outputs![0], null), new ResolvedInput("lr", "0.01", null, null)],
            step.Inputs);
        Assert.Equal(TimeSpan.FromMinutes(90), step.Timeout);
        Assert.Equal(1, step.Resources.Gpus);
    }

    [Fact]
    public void Resolve_InputFromAFanOut_CollectsEveryInstanceInIndexOrder()
    {
        AllSucceeded();

        var step = Run("select");

        var models = step.Inputs.Single(i => i.Name == "models");
        Assert.Null(models.Value);
        Assert.Null(models.Artifact);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => views[$"train[{i}]"].Outputs![0]), models.Collected!);
        Assert.Equal(["0.90", "0.91", "0.92"], step.Inputs.Single(i => i.Name == "scores").Collected!.Select(o => o.Value));
    }

    [Fact]
    public void Resolve_InputFromAnEmptyFanOut_CollectsNothing()
    {
        var empty = RunPlanner.Plan(plan.Definition, new Dictionary<string, string> { ["learning_rates"] = "[]" });
        var context = new StepContext("r", "Running", i => new StepView(StepState.Succeeded, [Output("dataset")]));

        var step = Assert.IsType<StepResolution.Run>(StepResolver.Resolve(empty, 1, context)).Step;

        Assert.Equal("select", step.Key);
        Assert.All(step.Inputs, i => Assert.Empty(i.Collected!));
    }

    [Theory]
    [InlineData(StepState.Skipped, "skipped")]
    [InlineData(StepState.Failed, "failed")]
    [InlineData(StepState.Cancelled, "cancelled")]
    public void Resolve_InputWhoseProducerDidNotSucceed_IsSkipped(StepState state, string word)
    {
        AllSucceeded();
        Finished("train[2]", state);

        var skip = Assert.IsType<StepResolution.Skip>(Resolve("select"));

        Assert.Equal($"input models comes from step train[2], which was {word}", skip.Reason);
    }

    [Fact]
    public void Resolve_CachedProducer_CountsAsSucceeded()
    {
        Finished("prepare", StepState.Cached, Output("dataset"));

        Assert.Equal(views["prepare"].Outputs![0], Run("train[0]").Inputs[0].Artifact);
    }

    [Fact]
    public void Resolve_ConditionTrue_Runs()
    {
        AllSucceeded();

        var step = Run("deploy");

        Assert.Equal(["deploy", "--model", "{{inputs.model}}", "--run", "run-42"], step.Command);
        Assert.Equal(views["select"].Outputs![0], step.Inputs.Single().Artifact);
    }

    [Fact]
    public void Resolve_ConditionFalse_IsSkippedQuotingTheCondition()
    {
        AllSucceeded();
        Finished("select", StepState.Succeeded, Output("best"), Output("auc", "0.5"));

        var skip = Assert.IsType<StepResolution.Skip>(Resolve("deploy"));

        Assert.Equal("condition {{steps.select.outputs.auc}} >= {{params.min_auc}} is false", skip.Reason);
    }

    [Fact]
    public void Resolve_ConditionOnASkippedProducer_IsSkipped()
    {
        AllSucceeded();
        Finished("select", StepState.Skipped);

        var skip = Assert.IsType<StepResolution.Skip>(Resolve("deploy"));

        Assert.Equal("condition reads steps.select.outputs.auc but select was skipped", skip.Reason);
    }

    [Fact]
    public void Resolve_ConditionOnAnOutputThatIsNotText_Fails()
    {
        AllSucceeded();
        Finished("select", StepState.Succeeded, Output("best"), Output("auc", null));

        var fail = Assert.IsType<StepResolution.Fail>(Resolve("deploy"));

        Assert.Contains("steps.select.outputs.auc", fail.Reason, StringComparison.Ordinal);
        Assert.Contains("not small UTF-8 text", fail.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConditionOnAValueThatIsNotANumber_ComparesAsTextAndBareValuesFail()
    {
        var definition = PipelineValidator.Validate(Pipeline(
            Step("check", "true") with { Outputs = ["ok"] },
            Step("act", "true") with { When = "{{steps.check.outputs.ok}}" }));
        var run = RunPlanner.Plan(definition, null);
        var context = new StepContext("r", "Running", _ => new StepView(StepState.Succeeded, [Output("ok", "maybe")]));

        var fail = Assert.IsType<StepResolution.Fail>(StepResolver.Resolve(run, 1, context));

        Assert.StartsWith("condition {{steps.check.outputs.ok}} cannot be evaluated:", fail.Reason, StringComparison.Ordinal);
        Assert.Contains("not true or false", fail.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConditionOnItemAndParameters_UsesThem()
    {
        var definition = PipelineValidator.Validate(Pipeline(
            Step("t", "echo", "{{item}}") with { Foreach = "{{params.modes}}", When = "{{item}} != {{params.skip}}" }) with
        {
            Parameters = [Parameter("modes", ParameterType.List, "[\"a\",\"b\"]"), Parameter("skip", ParameterType.String, "b")],
        });
        var run = RunPlanner.Plan(definition, null);
        var context = new StepContext("r", "Running", _ => default);

        Assert.Equal(["echo", "a"], Assert.IsType<StepResolution.Run>(StepResolver.Resolve(run, 0, context)).Step.Command);
        Assert.Equal("condition {{item}} != {{params.skip}} is false", Assert.IsType<StepResolution.Skip>(StepResolver.Resolve(run, 1, context)).Reason);
    }

    [Fact]
    public void Resolve_ExitHandler_FillsRunStatusAndIsNeverCached()
    {
        AllSucceeded();

        var step = Run("notify", runStatus: "Failed");

        Assert.Equal(["notify", "--run", "run-42", "--status", "Failed"], step.Command);
        Assert.Null(step.CacheKey);
    }

    [Fact]
    public void Resolve_CacheDisabledForTheStep_HasNoCacheKey()
    {
        Assert.Null(Run("prepare").CacheKey);
    }

    [Fact]
    public void Resolve_CacheKey_IsTheKeyOfTheResolvedStep()
    {
        AllSucceeded();

        var step = Run("train[0]");

        Assert.Equal(StepCacheKey.Compute(step), step.CacheKey);
        Assert.NotEqual(step.CacheKey, Run("train[1]").CacheKey);
    }

    [Fact]
    public void Resolve_SameInputsInAnotherRun_GiveTheSameCacheKey()
    {
        AllSucceeded();
        var first = Run("select").CacheKey;

        views.Clear();
        AllSucceeded();

        Assert.Equal(first, Run("select").CacheKey);
    }

    [Fact]
    public void Resolve_UpstreamArtifactChanged_ChangesTheCacheKey()
    {
        AllSucceeded();
        var before = Run("train[0]").CacheKey;

        Finished("prepare", StepState.Succeeded, Output("dataset", "v2"));

        Assert.NotEqual(before, Run("train[0]").CacheKey);
    }

    [Fact]
    public void Resolve_ProducerNotFinished_FailsAsAMisuse()
    {
        var fail = Assert.IsType<StepResolution.Fail>(Resolve("train[0]"));

        Assert.Contains("step prepare has not finished (it is waiting)", fail.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ProducerWithoutItsDeclaredOutput_Fails()
    {
        Finished("prepare", StepState.Succeeded, Output("other"));

        var fail = Assert.IsType<StepResolution.Fail>(Resolve("train[0]"));

        Assert.Equal("step prepare finished without its declared output dataset", fail.Reason);
    }

    [Fact]
    public void Resolve_InputTemplateOverParametersAndRunId_IsAValue()
    {
        var definition = PipelineValidator.Validate(Pipeline(
            Step("a", "cat", "{{inputs.config}}") with { Inputs = Map(("config", "rows={{params.rows}}\nrun={{run.id}}")) }) with
        {
            Parameters = [Parameter("rows", ParameterType.Int, "100")],
        });
        var run = RunPlanner.Plan(definition, new Dictionary<string, string> { ["rows"] = "250" });

        var step = Assert.IsType<StepResolution.Run>(StepResolver.Resolve(run, 0, new StepContext("r-1", "Running", _ => default))).Step;

        Assert.Equal(new ResolvedInput("config", "rows=250\nrun=r-1", null, null), Assert.Single(step.Inputs));
        Assert.Equal(["cat", "{{inputs.config}}"], step.Command);
    }
}
