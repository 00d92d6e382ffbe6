using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

using static Orchestrator.Core.Tests.Pipelines.Specs;

namespace Orchestrator.Core.Tests.Pipelines;

/// <summary>Verifies how a register step is planned, resolved and ended: its outputs bound from the producer, its
/// templates filled, the version built with the run's lineage, and the machine's events for a registration.</summary>
public sealed class RegisterStepResolutionTests
{
    private static readonly PipelineSpec Spec = Pipeline(
        Step("train", "python", "train.py") with { Outputs = ["model", "metrics", "data"] },
        new StepSpec
        {
            Name = "register",
            Register = new RegisterSpec
            {
                Model = "churn", Artifact = "{{steps.train.outputs.model}}", Metrics = "{{steps.train.outputs.metrics}}",
                TrainingData = "{{steps.train.outputs.data}}", Parameters = Map(("lr", "{{params.lr}}")), Tags = Map(("run", "{{run.id}}")),
            },
        }) with
    {
        Parameters = [Parameter("lr", ParameterType.Float, "0.1")],
    };

    private static readonly StepOutput Model = new("model", new string('a', 64), 1234, null);
    private static readonly StepOutput Metrics = new("metrics", new string('b', 64), 13, """{"auc": 0.9}""");
    private static readonly StepOutput Data = new("data", new string('c', 64), 99, null);

    private static RunMachine Machine() =>
        new("run-0123456789abcdef", RunPlanner.Plan(PipelineValidator.Validate(Spec), new Dictionary<string, string> { ["lr"] = "0.5" }), cacheDisabled: false);

    private static void Apply(RunMachine machine, IEnumerable<RunEvent> events)
    {
        foreach (var e in events) machine.Apply(e with { Revision = machine.Revision + 1 });
    }

    /// <summary>Train placed, started and succeeded; register activated (Ready).</summary>
    private static RunMachine TrainedAndRegisterReady()
    {
        var machine = Machine();
        var now = DateTimeOffset.UnixEpoch;
        Apply(machine, machine.Submit("user:t", now));
        var train = machine.DrainActivatable().Single();
        Apply(machine, [machine.ActivationEvent(train, machine.Decide(train), "system", now)]);
        Apply(machine, machine.OnPlaced("train", 1, "n1", [], now).Events);
        Apply(machine, machine.OnStarted("train", 1, "n1", now).Events);
        Apply(machine, machine.OnFinished("train", 1, AttemptOutcome.Succeeded, 0, null, [Model, Metrics, Data], "n1", now).Events);
        var register = machine.DrainActivatable().Single();
        var decision = machine.Decide(register);
        Assert.Equal(ActivationKind.Run, decision.Kind);
        Assert.Null(decision.Step!.CacheKey);
        Apply(machine, [machine.ActivationEvent(register, decision, "system", now)]);
        return machine;
    }

    [Fact]
    public void Resolve_RegisterStep_BindsOutputsAndFillsTemplates()
    {
        var machine = TrainedAndRegisterReady();

        var registration = machine.ResolveForDispatch(machine.Find("register")!.Index)!.Registration!;

        Assert.Equal(("churn", Model, Metrics, Data), (registration.Model, registration.Artifact, registration.Metrics, registration.TrainingData));
        Assert.Null(registration.Profile);
        Assert.Equal(new Dictionary<string, string> { ["lr"] = "0.5" }, registration.Parameters);
        Assert.Equal(new Dictionary<string, string> { ["run"] = "run-0123456789abcdef" }, registration.Tags);
    }

    [Fact]
    public void Build_Version_CarriesArtifactMetricsTrainingDataAndSource()
    {
        var machine = TrainedAndRegisterReady();
        var registration = machine.ResolveForDispatch(machine.Find("register")!.Index)!.Registration!;
        var source = new ModelSource { RunId = machine.RunId, StepKey = "train", Pipeline = "demo", PipelineVersion = 3 };

        var spec = PipelineRegistration.Build(registration, source, Metrics.Value, null);

        Assert.Equal((Model.Digest, Model.Size), (spec.Artifact.Digest, spec.Artifact.SizeBytes));
        Assert.Equal(0.9, spec.Metrics["auc"]);
        Assert.Equal(Data.Digest, spec.TrainingDataDigest);
        Assert.Same(source, spec.Source);
        Assert.True(spec.Profile.IsEmpty);
    }

    [Fact]
    public void Build_MetricsNotANumberMap_NamesTheFieldAndTheOutput()
    {
        var machine = TrainedAndRegisterReady();
        var registration = machine.ResolveForDispatch(machine.Find("register")!.Index)!.Registration!;

        var error = Assert.Throws<FormatException>(() => PipelineRegistration.Build(registration, new ModelSource(), """{"auc": "high"}""", null));

        Assert.StartsWith("register.metrics: output metrics is not a JSON object of numbers by name", error.Message);
        Assert.Contains("$.auc", error.Message);
    }

    [Fact]
    public void OnRegistered_SucceedsTheStepWithTheVersionOutput_AndARepeatIsADuplicate()
    {
        var machine = TrainedAndRegisterReady();
        var now = DateTimeOffset.UnixEpoch;

        var transition = machine.OnRegistered("register", 1, 7, now);
        Apply(machine, transition.Events);

        var step = machine.Find("register")!;
        Assert.Equal(StepState.Succeeded, step.State);
        var output = Assert.Single(step.Outputs!);
        Assert.Equal(("version", "7", 1L), (output.Name, output.Value, output.Size));
        Assert.Equal(TransitionDisposition.Duplicate, machine.OnRegistered("register", 1, 7, now).Disposition);
        Assert.Equal(TransitionDisposition.Stale, machine.OnRegistered("register", 2, 7, now).Disposition);
        Assert.Equal(RunState.Succeeded, machine.TryFinish(now)!.RunState);
    }

    [Fact]
    public void OnRegistrationRefused_FailsTheStepAtOnce()
    {
        var machine = TrainedAndRegisterReady();

        Apply(machine, machine.OnRegistrationRefused("register", 1, "register.metrics: bad", DateTimeOffset.UnixEpoch).Events);

        Assert.Equal((StepState.Failed, "register.metrics: bad"), (machine.Find("register")!.State, machine.Find("register")!.Message));
    }

    [Fact]
    public void RequestId_DependsOnRunStepAndAttempt()
    {
        Assert.Equal("run-1/register/1", PipelineRegistration.RequestId("run-1", "register", 1));
        Assert.NotEqual(PipelineRegistration.RequestId("run-1", "register", 1), PipelineRegistration.RequestId("run-1", "register", 2));
    }
}
