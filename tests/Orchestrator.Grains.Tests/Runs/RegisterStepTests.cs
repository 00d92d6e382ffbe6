using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Runs;

/// <summary>Verifies register steps: the run grain registers a model version from the training step's outputs (lineage,
/// artifact digest, metrics, profile, parameters, alias), hands its number downstream as the <c>version</c> output,
/// does not register twice when reports repeat or the run is re-issued, and fails the step with a message naming the
/// output when its content is bad.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RegisterStepTests(ClusterFixture fixture)
{
    private const string Profile = """
        {"numeric": {"tenure_months": {"bin_edges": [6, 12], "proportions": [0.3, 0.3, 0.4], "sample": [3, 9, 20]}},
         "categorical": {"plan": {"frequencies": {"basic": 0.6, "premium": 0.4}, "count": 100}}}
        """;

    [Fact]
    public async Task TrainThenRegister_RegistersAVersionWithTheRunsLineage_AndHandsItsNumberDownstream()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Pipeline(s));

        var runId = (await s.SubmitAsync("churn", new Dictionary<string, string> { ["lr"] = "0.05" })).Definition.Id;
        var train = await agent.WaitForAssignmentAsync(runId, "train");
        var model = Artifacts.Text("model", "weights");
        await agent.SucceedAsync(train, model, Artifacts.Text("metrics", """{"auc": 0.91, "accuracy": 0.87}"""), Artifacts.Text("profile", Profile));

        var report = await agent.WaitForAssignmentAsync(runId, "report");
        var input = Assert.Single(report.Resolved.Inputs);
        Assert.Equal("1", input.Artifact?.Value);
        await agent.SucceedAsync(report, Artifacts.Text("summary", "ok"));
        var run = await s.WaitForStateAsync(runId, RunState.Succeeded);
        var register = run.Steps.Single(x => x.Key == "register");
        Assert.Equal(StepState.Succeeded, register.State);

        var version = await Model(s).GetVersionAsync("1");
        var spec = version.Record.Spec;
        Assert.Equal((runId, "train", "churn", 1), (spec.Source.RunId, spec.Source.StepKey, spec.Source.Pipeline, spec.Source.PipelineVersion));
        Assert.Equal((model.Digest, model.Size), (spec.Artifact.Digest, spec.Artifact.SizeBytes));
        Assert.Equal(new Dictionary<string, double> { ["auc"] = 0.91, ["accuracy"] = 0.87 }, spec.Metrics);
        Assert.Equal(new Dictionary<string, string> { ["learning_rate"] = "0.05" }, spec.Parameters);
        Assert.Equal([6.0, 12.0], spec.Profile.Numeric["tenure_months"].BinEdges);
        Assert.Equal(100, spec.Profile.Categorical["plan"].Count);
        Assert.Equal(["candidate"], version.Aliases);
    }

    [Fact]
    public async Task RepeatedReportsAndReissuedRun_RegisterOneVersion()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Pipeline(s));
        var runId = (await s.SubmitAsync("churn")).Definition.Id;
        var train = await agent.WaitForAssignmentAsync(runId, "train");
        StepOutput[] outputs = [Artifacts.Text("model", "weights"), Artifacts.Text("metrics", """{"auc": 0.9}"""), Artifacts.Text("profile", Profile)];
        await agent.SucceedAsync(train, outputs);
        await s.WaitForStepAsync(runId, "register", StepState.Succeeded);

        // The agent's report arrives again and the run is reconciled (as after a restart): still one version.
        await agent.FinishAsync(train, AttemptOutcome.Succeeded, 0, null, outputs);
        await s.Run(runId).ResumeAsync();
        await s.Cluster.DeactivateAsync(s.Run(runId));
        await s.Run(runId).ResumeAsync();

        var record = await Model(s).GetAsync();
        Assert.Single(record.Versions);
        var events = (await s.Run(runId).GetAsync(includeEvents: true)).Events!;
        Assert.Single(events, e => e.Type == RunEventType.StepSucceeded && e.StepKey == "register");
    }

    [Fact]
    public async Task RegistrationAlreadyStoredBeforeARestart_IsAnsweredWithThatVersion_NotASecondOne()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Pipeline(s));
        var runId = (await s.SubmitAsync("churn")).Definition.Id;
        var train = await agent.WaitForAssignmentAsync(runId, "train");
        var model = Artifacts.Text("model", "weights");

        // What a registration that reached the registry just before the silo stopped left behind: the version, under
        // the request id of the step's first attempt, with the content the step builds.
        var earlier = new ModelVersionSpec
        {
            Artifact = new ModelArtifact { Digest = model.Digest, SizeBytes = model.Size },
            Source = new ModelSource { RunId = runId, StepKey = "train", Pipeline = "churn", PipelineVersion = 1 },
            Parameters = new Dictionary<string, string> { ["learning_rate"] = "0.01" },
            Metrics = new Dictionary<string, double> { ["auc"] = 0.9 },
            Profile = ModelVersionJson.ReadProfile(Profile),
        };
        await Model(s).RegisterVersionAsync(earlier, PipelineRegistration.RequestId(runId, "register", 1), "before the restart", "test");

        await agent.SucceedAsync(train, model, Artifacts.Text("metrics", """{"auc": 0.9}"""), Artifacts.Text("profile", Profile));
        var run = await s.WaitForStepAsync(runId, "register", StepState.Succeeded);

        Assert.Equal("1", Assert.Single(run.Steps.Single(x => x.Key == "register").Outputs).Value);
        Assert.Single((await Model(s).GetAsync()).Versions);
    }

    [Fact]
    public async Task BadMetricsJson_FailsTheStepNamingTheOutput_AndTheRunEnds()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Pipeline(s));
        var runId = (await s.SubmitAsync("churn")).Definition.Id;
        var train = await agent.WaitForAssignmentAsync(runId, "train");
        await agent.SucceedAsync(train, Artifacts.Text("model", "weights"), Artifacts.Text("metrics", "auc=0.9"), Artifacts.Text("profile", Profile));

        var run = await s.WaitForStateAsync(runId, RunState.Failed);
        var register = run.Steps.Single(x => x.Key == "register");
        Assert.Equal(StepState.Failed, register.State);
        Assert.StartsWith("register.metrics: output metrics is not a JSON object of numbers by name", register.Message);
        Assert.Equal(StepState.Skipped, run.Steps.Single(x => x.Key == "report").State);
    }

    [Fact]
    public async Task ProfileTheRegistryRefuses_FailsTheStepWithTheRegistrysFieldError()
    {
        await using var s = fixture.NewScenario();
        var agent = await s.ConnectAsync("node", gpus: 1);
        await s.CreatePipelineAsync(Pipeline(s));
        var runId = (await s.SubmitAsync("churn")).Definition.Id;
        var train = await agent.WaitForAssignmentAsync(runId, "train");
        var badProfile = """{"numeric": {"age": {"bin_edges": [30, 20], "proportions": [0.3, 0.3, 0.4]}}}""";
        await agent.SucceedAsync(train, Artifacts.Text("model", "weights"), Artifacts.Text("metrics", "{}"), Artifacts.Text("profile", badProfile));

        var run = await s.WaitForStateAsync(runId, RunState.Failed);
        var message = run.Steps.Single(x => x.Key == "register").Message;
        Assert.Contains("the registry refused the version of model churn", message);
        Assert.Contains("profile.numeric.age.bin_edges[1]", message);
    }

    private static IModelGrain Model(Scenario s) => s.Grains.GetGrain<IModelGrain>(ModelGrain.KeyOf(s.Tenant, "churn"));

    private static PipelineSpec Pipeline(Scenario s) => new()
    {
        Name = "churn",
        Parameters = [new ParameterSpec { Name = "lr", Type = ParameterType.Float, Default = "0.01" }],
        Steps =
        [
            Specs.Step("train", s.Id, "model", "metrics", "profile"),
            new StepSpec
            {
                Name = "register",
                Register = new RegisterSpec
                {
                    Model = "churn",
                    Artifact = "{{steps.train.outputs.model}}",
                    Metrics = "{{steps.train.outputs.metrics}}",
                    Profile = "{{steps.train.outputs.profile}}",
                    Parameters = new Dictionary<string, string> { ["learning_rate"] = "{{params.lr}}" },
                    Alias = "candidate",
                },
            },
            Specs.Step("report", s.Id, "summary").WithInput("version", "{{steps.register.outputs.version}}"),
        ],
    };
}
