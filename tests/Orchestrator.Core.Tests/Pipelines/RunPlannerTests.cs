using System.Diagnostics;

using Orchestrator.Core.Pipelines;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies how a run is planned: arguments bound and checked, fan-outs expanded with their edges, the exit handler last, limits enforced.</summary>
public sealed class RunPlannerTests
{
    private static readonly PipelineDefinition TuneAndDeploy = PipelineValidator.Validate(Specs.TuneAndDeploy());

    private static readonly Dictionary<string, string> NoArguments = [];

    [Fact]
    public void Plan_WithoutArguments_AppliesEveryDefault()
    {
        var plan = RunPlanner.Plan(TuneAndDeploy, NoArguments);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["dataset"] = "s3://data/train.csv",
                ["learning_rates"] = "[0.1,0.01,0.001]",
                ["min_auc"] = "0.8",
                ["epochs"] = "3",
            },
            plan.Parameters);
    }

    [Fact]
    public void Plan_Arguments_AreCanonicalized()
    {
        var plan = RunPlanner.Plan(TuneAndDeploy, new Dictionary<string, string>
        {
            ["min_auc"] = "0.750",
            ["epochs"] = " 12 ",
            ["learning_rates"] = "[ 1e-3 ]",
        });

        Assert.Equal("0.75", plan.Parameters["min_auc"]);
        Assert.Equal("12", plan.Parameters["epochs"]);
        Assert.Equal("[0.001]", plan.Parameters["learning_rates"]);
    }

    [Fact]
    public void Plan_UnknownMissingAndMistypedArguments_AreAllReportedAtOnce()
    {
        var definition = PipelineValidator.Validate(Pipeline(Step("a", "true")) with
        {
            Parameters = [Parameter("rows", ParameterType.Int), Parameter("lr", ParameterType.Float, "0.1"), Parameter("flag", ParameterType.Bool, "false")],
        });

        var error = Assert.Throws<ValidationException>(() => RunPlanner.Plan(definition, new Dictionary<string, string>
        {
            ["lr"] = "fast",
            ["colour"] = "red",
        }));

        Assert.Equal(["parameters.colour", "parameters.rows", "parameters.lr"], error.Errors.Select(e => e.Field));
        Assert.Equal("unknown parameter \"colour\": pipeline demo declares rows, lr, flag", error.Errors[0].Message);
        Assert.StartsWith("required, no default", error.Errors[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("expected a finite number", error.Errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_FanOut_ExpandsIntoIndexedInstancesWithItems()
    {
        var plan = RunPlanner.Plan(TuneAndDeploy, new Dictionary<string, string> { ["learning_rates"] = "[0.1, 0.01, \"auto\"]" });

        Assert.Equal(["prepare", "train[0]", "train[1]", "train[2]", "select", "deploy", "notify"], plan.Steps.Select(s => s.Key));
        var train = plan.Steps.Where(s => s.Name == "train").ToList();
        Assert.Equal([0, 1, 2], train.Select(s => s.Index));
        Assert.Equal(["0.1", "0.01", "auto"], train.Select(s => s.Item));
        Assert.All(plan.Steps.Where(s => s.Name != "train"), s => Assert.Equal((-1, (string?)null), (s.Index, s.Item)));
    }

    [Fact]
    public void Plan_FanOut_ConnectsEveryInstanceUpstreamAndDownstream()
    {
        var plan = RunPlanner.Plan(TuneAndDeploy, NoArguments);
        int IndexOf(string key) => plan.Steps.ToList().FindIndex(s => s.Key == key);

        Assert.Equal([IndexOf("train[0]"), IndexOf("train[1]"), IndexOf("train[2]"), IndexOf("select")], plan.Steps[IndexOf("prepare")].Downstream.SkipLast(1));
        Assert.Equal([IndexOf("prepare")], plan.Steps[IndexOf("train[1]")].Upstream);
        Assert.Equal([IndexOf("prepare"), IndexOf("train[0]"), IndexOf("train[1]"), IndexOf("train[2]")], plan.Steps[IndexOf("select")].Upstream);
        Assert.Equal([IndexOf("select")], plan.Steps[IndexOf("deploy")].Upstream);
    }

    [Fact]
    public void Plan_ExitHandler_IsLastAndWaitsForEveryOtherStep()
    {
        var plan = RunPlanner.Plan(TuneAndDeploy, NoArguments);

        var last = plan.Steps.Count - 1;
        Assert.Equal(last, plan.ExitHandlerIndex);
        Assert.Equal("notify", plan.Steps[last].Key);
        Assert.Equal(Enumerable.Range(0, last), plan.Steps[last].Upstream);
        Assert.Empty(plan.Steps[last].Downstream);
        Assert.All(plan.Steps.Take(last), s => Assert.Equal(last, s.Downstream[^1]));
    }

    [Fact]
    public void Plan_EmptyFanOut_PlansNoInstancesAndNoEdges()
    {
        var plan = RunPlanner.Plan(TuneAndDeploy, new Dictionary<string, string> { ["learning_rates"] = "[]" });

        Assert.Equal(["prepare", "select", "deploy", "notify"], plan.Steps.Select(s => s.Key));
        Assert.Equal([0], plan.Steps[1].Upstream);
    }

    [Fact]
    public void Plan_WithoutExitHandler_HasNoExitHandlerIndex()
    {
        var plan = RunPlanner.Plan(PipelineValidator.Validate(Pipeline(Step("a", "true"))), null);

        Assert.Equal(-1, plan.ExitHandlerIndex);
        Assert.Equal("a", Assert.Single(plan.Steps).Key);
    }

    [Fact]
    public void Plan_FanOutOverTheLimit_ThrowsLimitExceededNamingTheList()
    {
        var items = "[" + string.Join(",", Enumerable.Range(0, 10_000)) + "]";

        var error = Assert.Throws<LimitExceededException>(() =>
            RunPlanner.Plan(TuneAndDeploy, new Dictionary<string, string> { ["learning_rates"] = items }));

        Assert.Equal("parameters.learning_rates", error.Field);
        Assert.Contains("10,004 steps, more than the limit of 10,000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SmallerLimit_IsHonoured()
    {
        var error = Assert.Throws<LimitExceededException>(() => RunPlanner.Plan(TuneAndDeploy, NoArguments, maxSteps: 6));

        Assert.Contains("7 steps, more than the limit of 6", error.Message, StringComparison.Ordinal);
        Assert.Equal(7, RunPlanner.Plan(TuneAndDeploy, NoArguments, maxSteps: 7).Steps.Count);
    }

    [Fact]
    public void Plan_FanOutAfterFanOut_OverTheEdgeLimit_ThrowsLimitExceeded()
    {
        var spec = Pipeline(
            Step("a", "true") with { Foreach = "{{params.xs}}", Outputs = ["o"] },
            Step("b", "true") with { Foreach = "{{params.ys}}", Inputs = Map(("all", "{{steps.a.outputs.o}}")) }) with
        {
            Parameters = [Parameter("xs", ParameterType.List, "[]"), Parameter("ys", ParameterType.List, "[]")],
        };
        var big = "[" + string.Join(",", Enumerable.Range(0, 3_000)) + "]";

        var error = Assert.Throws<LimitExceededException>(() =>
            RunPlanner.Plan(PipelineValidator.Validate(spec), new Dictionary<string, string> { ["xs"] = big, ["ys"] = big }));

        Assert.Contains("9,000,000 dependencies", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_TenThousandSteps_IsQuickAndTopological()
    {
        // A fan-out of 9,997 between a producer and a collector, plus the exit handler: 10,000 planned steps.
        var spec = Pipeline(
            Step("prepare", "true") with { Outputs = ["data"] },
            Step("work", "run", "{{item}}") with { Foreach = "{{params.shards}}", Inputs = Map(("data", "{{steps.prepare.outputs.data}}")), Outputs = ["part"] },
            Step("collect", "true") with { Inputs = Map(("parts", "{{steps.work.outputs.part}}")) }) with
        {
            Parameters = [Parameter("shards", ParameterType.List, "[" + string.Join(",", Enumerable.Range(0, 9_997)) + "]")],
            ExitHandler = Step("end", "true"),
        };
        var definition = PipelineValidator.Validate(spec);

        var clock = Stopwatch.StartNew();
        var plan = RunPlanner.Plan(definition, NoArguments);
        clock.Stop();

        Assert.Equal(10_000, plan.Steps.Count);
        Assert.Equal(9_997, plan.Steps[9_998].Upstream.Count);
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            Assert.All(plan.Steps[i].Upstream, u => Assert.True(u < i));
            Assert.All(plan.Steps[i].Downstream, d => Assert.True(d > i));
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"planning took {clock.Elapsed}");
    }
}
