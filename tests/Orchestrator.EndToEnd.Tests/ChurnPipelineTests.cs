using System.Security.Cryptography;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The churn example end to end on the real server: real python processes on GPUs the scheduler assigned,
/// outputs as content-addressed artifacts flowing between steps, the condition and the exit handler, the best model
/// registered with its metrics and baseline profile, then the cache.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class ChurnPipelineTests(EmbeddedServerFixture fixture)
{
    private static readonly Dictionary<string, string> Parameters = new() { ["code_dir"] = Repo.Example("churn") };

    [Fact]
    public async Task ChurnPipeline_RunsToSuccess_WithEveryStepOnAnAssignedGpuAndTheBestModelPublished()
    {
        var spec = PipelineYaml.Parse(await File.ReadAllTextAsync(Repo.Example("churn/pipeline.yaml")));
        await fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { Spec = spec });

        var run = await fixture.SubmitAndWaitAsync("churn", new Dictionary<string, string>(Parameters) { ["seed"] = "11" });

        Assert.Equal(RunState.Succeeded, run.State);
        var steps = run.Steps.ToDictionary(s => s.Key);
        Assert.Equal(["prepare", "train[0]", "train[1]", "evaluate", "register", "publish", "notify"], run.Steps.Select(s => s.Key));
        Assert.All(run.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
        Assert.All(run.Steps.Where(s => s.Key != "register"), s => Assert.Equal("e2e-node", s.Node));

        // Each training step asked for one GPU and got exactly one; the process saw it in CUDA_VISIBLE_DEVICES.
        foreach (var key in new[] { "train[0]", "train[1]" })
        {
            var gpu = Assert.Single(steps[key].GpuIndices);
            Assert.InRange(gpu, 0, 1);
            var log = await Logs.ReadAsync(fixture.Server.Runs, run.Id, key);
            Assert.Contains($"CUDA_VISIBLE_DEVICES={gpu}", log, StringComparison.Ordinal);
        }

        Assert.Empty(steps["prepare"].GpuIndices);
        var auc = double.Parse(steps["evaluate"].Outputs.Single(o => o.Name == "auc").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(auc >= 0.7, $"AUC {auc} should reach 0.7 on the synthetic data");
        Assert.Equal(64, steps["evaluate"].Outputs.Single(o => o.Name == "best_model").Digest.Length);
        Assert.Single(steps["publish"].Outputs, o => o.Name == "report");
        Assert.True(steps["notify"].ExitHandler);
        Assert.Contains($"run {run.Id} succeeded", await Logs.ReadAsync(fixture.Server.Runs, run.Id, "notify"), StringComparison.Ordinal);

        // The register step stored the best model with its scores and the training split's profile (read from the
        // artifact store: it is larger than an inline output).
        var registered = await fixture.Server.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Name = "churn", RunId = run.Id });
        var listed = Assert.Single(registered.Versions);
        var version = await fixture.Server.Models.GetModelVersionAsync(new GetModelVersionRequest { Name = "churn", Version = listed.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(steps["evaluate"].Outputs.Single(o => o.Name == "best_model").Digest, version.Spec.Artifact.Digest);
        Assert.Equal(auc, version.Spec.Metrics["auc"], 6);
        Assert.Equal(("evaluate", "11"), (version.Spec.Source.StepKey, version.Spec.Parameters["seed"]));
        Assert.Equal(9, version.Spec.Profile.Numeric["tenure"].BinEdges.Count);
        Assert.Equal(["month-to-month", "one-year", "two-year"], version.Spec.Profile.Categorical["contract"].Frequencies.Keys.Order());

        // The dataset a step wrote is the artifact the next one read: same sha256 end to end.
        var dataset = steps["prepare"].Outputs.Single(o => o.Name == "dataset");
        var artifactPath = Path.Combine(fixture.Server.DataDirectory, "artifacts", "sha256", dataset.Digest[..2], dataset.Digest);
        Assert.Equal(dataset.Digest, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(artifactPath))));
        Assert.Equal(new FileInfo(artifactPath).Length, dataset.Size);
    }

    [Fact]
    public async Task SecondIdenticalRun_ReusesCachedOutputs_AndANoCacheRunExecutesAgain()
    {
        var spec = PipelineYaml.Parse(await File.ReadAllTextAsync(Repo.Example("churn/pipeline.yaml")));
        await fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { Spec = spec });
        var parameters = new Dictionary<string, string>(Parameters) { ["seed"] = "23", ["rows"] = "1500" };

        var first = await fixture.SubmitAndWaitAsync("churn", parameters);
        var second = await fixture.SubmitAndWaitAsync("churn", parameters);

        Assert.Equal(RunState.Succeeded, second.State);
        foreach (var key in new[] { "prepare", "train[0]", "train[1]", "evaluate" })
        {
            var cached = second.Steps.Single(s => s.Key == key);
            Assert.Equal(StepState.Cached, cached.State);
            Assert.Empty(cached.Attempts);
            Assert.Equal(first.Steps.Single(s => s.Key == key).Outputs, cached.Outputs);
        }

        var request = new SubmitRunRequest { Pipeline = "churn", DisableCache = true };
        foreach (var (k, v) in parameters) request.Parameters[k] = Google.Protobuf.WellKnownTypes.Value.ForString(v);
        var third = await fixture.WaitAsync((await fixture.Server.Runs.SubmitRunAsync(request)).Id);
        Assert.True(third.CacheDisabled);
        Assert.All(third.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
        Assert.Equal(first.Steps.Single(s => s.Key == "prepare").Outputs, third.Steps.Single(s => s.Key == "prepare").Outputs);
    }
}
