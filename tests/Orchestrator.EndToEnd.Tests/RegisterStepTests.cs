using System.Security.Cryptography;
using System.Text;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A register step through a real server and agent: a shell step writes a model file and metrics.json, the
/// register step registers version 1 of the model with that file's digest, the metrics and the run's lineage, and
/// ModelService shows it; a downstream step reads the version number as an input file.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class RegisterStepTests(EmbeddedServerFixture fixture)
{
    [Fact]
    public async Task ShellTrainThenRegister_RegistersVersionOne_VisibleThroughModelService()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var pipeline = $"register-{suffix}";
        var model = $"model-{suffix}";
        await fixture.ApplyAsync($$$"""
            name: {{{pipeline}}}
            parameters: [{name: lr, type: float, default: 0.01}]
            steps:
              - name: train
                command: [sh, -c, 'printf weights > {{outputs.model}}; printf "{\"auc\": 0.91}" > {{outputs.metrics}}']
                outputs: [model, metrics]
              - name: register
                register:
                  model: {{{model}}}
                  artifact: "{{steps.train.outputs.model}}"
                  metrics: "{{steps.train.outputs.metrics}}"
                  parameters: {learning_rate: "{{params.lr}}"}
                  alias: candidate
              - name: announce
                inputs: {version: "{{steps.register.outputs.version}}"}
                command: [sh, -c, 'test "$(cat {{inputs.version}})" = 1']
            """);

        var run = await fixture.SubmitAndWaitAsync(pipeline, timeout: TimeSpan.FromSeconds(30));

        Assert.True(run.State == RunState.Succeeded, $"run {run.Id} ended {run.State}: {run.Message}");
        var version = await fixture.Server.Models.GetModelVersionAsync(new GetModelVersionRequest { Name = model, Version = "candidate" });
        Assert.Equal(1, version.Version);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("weights"))), version.Spec.Artifact.Digest);
        Assert.Equal(7, version.Spec.Artifact.SizeBytes);
        Assert.Equal(0.91, version.Spec.Metrics["auc"]);
        Assert.Equal("0.01", version.Spec.Parameters["learning_rate"]);
        Assert.Equal((run.Id, "train", pipeline), (version.Spec.Source.RunId, version.Spec.Source.StepKey, version.Spec.Source.Pipeline));
    }
}
