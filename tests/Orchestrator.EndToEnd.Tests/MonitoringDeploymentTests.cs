using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Monitors per model deployment through a real server process: two deployments of one model keep separate
/// windows; records that name their serving version give live metrics per version in GetDrift; a batch of histograms
/// binned at the source against the edges GetDrift returns drifts on its own, and a bad one is refused naming the
/// field; /metrics carries the drift and live-metric series and passes promtool; <c>orch drift --deployment -o json</c>
/// exports the deployment's windows.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class MonitoringDeploymentTests(EmbeddedServerFixture fixture)
{
    private static double Normal(Random random, double mean) =>
        mean + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static async Task RegisterChurnAsync(ServerProcess server, string tenant, Random random)
    {
        var version = new ModelVersionSpec
        {
            Artifact = new ModelArtifact { Digest = new string('b', 64), SizeBytes = 1024 },
            Profile = new BaselineProfile(),
        };
        var tenure = new NumericFeatureProfile();
        tenure.BinEdges.AddRange([-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816]);
        tenure.Proportions.AddRange(Enumerable.Repeat(0.1, 10));
        tenure.Sample.AddRange(Enumerable.Range(0, 2_000).Select(_ => Normal(random, 0)));
        version.Profile.Numeric["tenure"] = tenure;
        var plan = new CategoricalFeatureProfile { Count = 10_000 };
        plan.Frequencies.Add(new Dictionary<string, double> { ["basic"] = 0.6, ["premium"] = 0.4 });
        version.Profile.Categorical["plan"] = plan;
        await server.Models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = "churn", Version = version });
        await server.Models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = "churn", Alias = "champion", Version = "1" });
    }

    private static async Task<StreamPredictionsResponse> StreamAsync(ServerProcess server, params PredictionBatch[] batches)
    {
        using var stream = server.Monitoring.StreamPredictions();
        foreach (var batch in batches) await stream.RequestStream.WriteAsync(batch);
        await stream.RequestStream.CompleteAsync();
        return await stream.ResponseAsync;
    }

    /// <summary>5,000 calm records for deployment eu; odd ones served by version 2, even ones by the watched version.</summary>
    private static PredictionBatch[] CalmTraffic(string tenant, Random random, int part) =>
        [.. Enumerable.Range(0, 5).Select(b =>
        {
            var batch = new PredictionBatch { Tenant = tenant, Model = "churn", Deployment = "eu" };
            for (var i = 0; i < 1_000; i++)
            {
                var record = new PredictionRecord { RequestId = $"eu-{part}-{b}-{i}", Prediction = i % 4 < 2 ? 0.9 : 0.1, Version = i % 2 == 0 ? 0 : 2 };
                record.Numeric["tenure"] = Normal(random, 0);
                record.Categorical["plan"] = random.NextDouble() < 0.6 ? "basic" : "premium";
                batch.Records.Add(record);
            }

            return batch;
        })];

    [Fact]
    public async Task Deployments_KeepSeparateWindows_WithMetricsPerVersion_AndHistogramsDrift_AndMetricsPassPromtool()
    {
        var server = fixture.Server;
        var tenant = $"dep-{Guid.NewGuid():N}"[..16];
        var random = new Random(11);
        await RegisterChurnAsync(server, tenant, random);

        // Deployment eu: half a window, labels for four predictions of each version, then the other half.
        var first = await StreamAsync(server, CalmTraffic(tenant, random, 0));
        Assert.Equal((5_000L, 0), (first.Records, first.WindowsClosed));
        var labels = new LabelBatch { Tenant = tenant, Model = "churn", Deployment = "eu" };
        // Predictions i % 4 < 2 scored 0.9: version 1 (even i) gets 0 -> 0.9 right and 2 -> 0.1 right; version 2 gets 1 -> 0.9 wrong, 3 -> 0.1 wrong.
        foreach (var i in new[] { 0, 2, 4, 6, 1, 3, 5, 7 }) labels.Labels.Add(new Label { RequestId = $"eu-0-0-{i}", Value = i % 2 == 0 ? (i % 4 < 2 ? 1 : 0) : (i % 4 < 2 ? 0 : 1) });
        Assert.Equal(8, (await server.Monitoring.SendLabelsAsync(labels)).Joined);
        Assert.Equal(1, (await StreamAsync(server, CalmTraffic(tenant, random, 1))).WindowsClosed);

        // Deployment default: started by an empty batch, then histograms only, binned at the source on the edges GetDrift returns.
        await StreamAsync(server, new PredictionBatch { Tenant = tenant, Model = "churn" });
        var started = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn" });
        Assert.Equal("default", started.Deployment);
        var edges = started.BinEdges["tenure"].Edges;
        Assert.Equal(9, edges.Count);
        var counts = new long[edges.Count + 1];
        (counts[^1], counts[^2]) = (7_000, 3_000);
        var histograms = new PredictionBatch { Tenant = tenant, Model = "churn" };
        histograms.Histograms.Add(new FeatureHistogram { Feature = "tenure", Counts = { counts } });
        histograms.Histograms.Add(new FeatureHistogram { Feature = "plan", Categories = { ["basic"] = 1_000, ["premium"] = 9_000 } });

        var bad = new PredictionBatch { Tenant = tenant, Model = "churn" };
        bad.Histograms.Add(new FeatureHistogram { Feature = "plan", Categories = { ["basic"] = 5 } });
        bad.Histograms.Add(new FeatureHistogram { Feature = "tenure", Counts = { 1, 2, 3 } });
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument, () => StreamAsync(server, bad), "histograms[1].counts: 'tenure' has 10 bins (9 edges), not 3");
        Assert.Equal(0, (await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn" })).OpenRecords);
        Assert.Equal(1, (await StreamAsync(server, histograms)).WindowsClosed);

        var eu = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn", Deployment = "eu" });
        var byHistograms = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn" });
        Assert.Equal((1, 10_000L), (eu.Windows.Count, eu.Windows[0].Records));
        Assert.Equal((1, 10_000L), (byHistograms.Windows.Count, byHistograms.Windows[0].Records));
        Assert.False(eu.Windows[0].Drifted);
        Assert.True(byHistograms.Windows[0].Drifted);
        var tenure = byHistograms.Windows[0].Features.Single(f => f.Feature == "tenure");
        Assert.True(tenure.Drifted && tenure.Psi > 1 && !tenure.HasKsPvalue && !tenure.HasWasserstein, tenure.ToString());

        var versions = eu.Windows[0].ByVersion;
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal((5_000L, 4L, 1.0), (versions[0].Predictions, versions[0].Labeled, versions[0].Metrics["accuracy"]));
        Assert.Equal((5_000L, 4L, 0.0), (versions[1].Predictions, versions[1].Labeled, versions[1].Metrics["accuracy"]));
        Assert.Equal(0.5, eu.Windows[0].Metrics["accuracy"]);
        Assert.Equal(10, eu.Windows[0].Predictions.Counts.Count);
        Assert.Equal(10_000, eu.Windows[0].Predictions.Counts.Sum());

        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{server.HttpPort}/metrics");
        foreach (var series in new[]
                 {
                     $"orchestrator_model_drift_score{{tenant=\"{tenant}\",model=\"churn\",deployment=\"default\",feature=\"tenure\",statistic=\"psi\"}}",
                     $"orchestrator_model_drift_score{{tenant=\"{tenant}\",model=\"churn\",deployment=\"eu\",feature=\"plan\",statistic=\"chi2_pvalue\"}}",
                     $"orchestrator_model_dataset_drift{{tenant=\"{tenant}\",model=\"churn\",deployment=\"default\"}} 1",
                     $"orchestrator_model_drifted_feature_share{{tenant=\"{tenant}\",model=\"churn\",deployment=\"eu\"}} 0",
                     $"orchestrator_model_live_metric{{tenant=\"{tenant}\",model=\"churn\",deployment=\"eu\",version=\"2\",metric=\"accuracy\"}} 0",
                     $"orchestrator_model_live_metric{{tenant=\"{tenant}\",model=\"churn\",deployment=\"eu\",version=\"all\",metric=\"accuracy\"}} 0.5",
                     $"orchestrator_monitor_predictions_total{{tenant=\"{tenant}\",model=\"churn\",deployment=\"eu\"}} 10000",
                     $"orchestrator_monitor_windows_closed_total{{tenant=\"{tenant}\",model=\"churn\",deployment=\"default\"}} 1",
                 })
        {
            Assert.Contains(series, text, StringComparison.Ordinal);
        }

        var (exit, output) = await ProtocolTests.Promtool(text);
        Assert.True(exit == 0, $"promtool check metrics failed:\n{output}");

        await using var cli = ChildProcess.StartDotnet(Repo.CliDll,
            ["--server", server.GrpcAddress, "--tenant", tenant, "drift", "churn", "--deployment", "eu", "--windows", "500", "-o", "json"]);
        Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        using var json = System.Text.Json.JsonDocument.Parse(cli.Output);
        Assert.Equal("eu", json.RootElement.GetProperty("deployment").GetString());
        var window = Assert.Single(json.RootElement.GetProperty("windows").EnumerateArray());
        Assert.Equal(2, window.GetProperty("by_version").GetArrayLength());

        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn", Deployment = "EU!" }).ResponseAsync, "deployment: 'EU!' is not a deployment name");
    }
}
