using System.Text.Json;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The gpu-train example (the pipeline the device check runs on a real H200) on the simulated GPUs of the test
/// server: the train step gets one assigned GPU, trains the network (plain Python here, no torch), and the accuracy gate
/// decides the run.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class GpuTrainExampleTests(EmbeddedServerFixture fixture)
{
    // The plain-Python sizes from the example's README: small enough to train in about a second without torch.
    private static Dictionary<string, string> Small(string minAccuracy, string seed) => new()
    {
        ["seed"] = seed,
        ["code_dir"] = Repo.Example("gpu-train"), ["rows"] = "300", ["hidden"] = "8", ["layers"] = "1", ["epochs"] = "150",
        ["lr"] = "0.05", ["min_accuracy"] = minAccuracy,
    };

    [Fact]
    public async Task GpuTrain_TrainsOnTheAssignedGpu_AndPassesTheAccuracyGate()
    {
        await ApplyAsync();

        var run = await fixture.SubmitAndWaitAsync("gpu-train", Small("0.9", seed: "7"));

        Assert.Equal(RunState.Succeeded, run.State);
        Assert.Equal(["prepare", "train", "gate"], run.Steps.Select(s => s.Key));
        var train = run.Steps.Single(s => s.Key == "train");
        var gpu = Assert.Single(train.GpuIndices);
        var log = await Logs.ReadAsync(fixture.Server.Runs, run.Id, "train");
        Assert.Contains($"CUDA_VISIBLE_DEVICES={gpu}", log, StringComparison.Ordinal);

        var metricsDigest = train.Outputs.Single(o => o.Name == "metrics").Digest;
        var path = Path.Combine(fixture.Server.DataDirectory, "artifacts", "sha256", metricsDigest[..2], metricsDigest);
        using var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var accuracy = metrics.RootElement.GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.9, 1.0);
        Assert.Equal("python", metrics.RootElement.GetProperty("device").GetString());
        Assert.Contains("passed", await Logs.ReadAsync(fixture.Server.Runs, run.Id, "gate"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GpuTrain_BelowTheAccuracyBar_FailsAtTheGate()
    {
        await ApplyAsync();

        // Its own seed, so that train runs here rather than coming from the other test's cache.
        var run = await fixture.SubmitAndWaitAsync("gpu-train", Small("1.01", seed: "8"));

        Assert.Equal(RunState.Failed, run.State);
        Assert.Equal(StepState.Succeeded, run.Steps.Single(s => s.Key == "train").State);
        Assert.Equal(StepState.Failed, run.Steps.Single(s => s.Key == "gate").State);
        Assert.Contains("failed (minimum 1.01)", await Logs.ReadAsync(fixture.Server.Runs, run.Id, "gate"), StringComparison.Ordinal);
    }

    private async Task ApplyAsync()
    {
        var spec = PipelineYaml.Parse(await File.ReadAllTextAsync(Repo.Example("gpu-train/pipeline.yaml")));
        await fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { Spec = spec });
    }
}
