using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Model monitoring through a real server process over gRPC: a registered champion with a baseline profile,
/// 10,000 prediction records like its training data then 10,000 shifted ones streamed in batches; the monitor closes
/// two windows, the first without drift and the second with dataset drift in every statistic; labels sent later join
/// their predictions; <c>orch drift MODEL</c> shows it; bad input is refused naming the field.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class MonitoringTests(EmbeddedServerFixture fixture)
{
    private static double Normal(Random random, double mean) =>
        mean + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public async Task ShiftedTraffic_ClosesADriftedWindow_AfterACalmOne_AndLabelsJoinTheirPredictions()
    {
        var server = fixture.Server;
        var tenant = $"mon-{Guid.NewGuid():N}"[..16];
        // The calm window passes KS on the reservoir sample this seed leads to; like any seed, about 1 in 20 would not.
        var random = new Random(8);
        // Deciles of a standard normal; a sample from it for KS and Wasserstein.
        double[] edges = [-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816];
        var version = new ModelVersionSpec
        {
            Artifact = new ModelArtifact { Digest = new string('a', 64), SizeBytes = 1024 },
            Profile = new BaselineProfile(),
        };
        var tenure = new NumericFeatureProfile();
        tenure.BinEdges.AddRange(edges);
        tenure.Proportions.AddRange(Enumerable.Repeat(0.1, 10));
        tenure.Sample.AddRange(Enumerable.Range(0, 2_000).Select(_ => Normal(random, 0)));
        version.Profile.Numeric["tenure"] = tenure;
        var plan = new CategoricalFeatureProfile { Count = 10_000 };
        plan.Frequencies.Add(new Dictionary<string, double> { ["basic"] = 0.6, ["premium"] = 0.4 });
        version.Profile.Categorical["plan"] = plan;
        await server.Models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = "churn", Version = version });
        await server.Models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = "churn", Alias = "champion", Version = "1" });

        using (var stream = server.Monitoring.StreamPredictions())
        {
            for (var batch = 0; batch < 20; batch++)
            {
                var shifted = batch >= 10;
                var message = new PredictionBatch { Tenant = tenant, Model = "churn" };
                for (var i = 0; i < 1_000; i++)
                {
                    var record = new PredictionRecord { RequestId = $"r-{batch}-{i}", Prediction = random.NextDouble() };
                    record.Numeric["tenure"] = Normal(random, shifted ? 1.0 : 0);
                    record.Categorical["plan"] = random.NextDouble() < (shifted ? 0.2 : 0.6) ? "basic" : "premium";
                    message.Records.Add(record);
                }

                await stream.RequestStream.WriteAsync(message);
            }

            await stream.RequestStream.CompleteAsync();
            var taken = await stream.ResponseAsync;
            Assert.Equal((20_000L, 2), (taken.Records, taken.WindowsClosed));
        }

        var labels = new LabelBatch { Tenant = tenant, Model = "churn" };
        labels.Labels.Add(new Label { RequestId = "r-19-0", Value = 1 });
        labels.Labels.Add(new Label { RequestId = "r-19-1", Value = 0 });
        labels.Labels.Add(new Label { RequestId = "never-sent", Value = 1 });
        var joined = await server.Monitoring.SendLabelsAsync(labels);
        Assert.Equal((2L, 1L), (joined.Joined, joined.Unmatched));

        var drift = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn" });
        Assert.Equal(1, drift.Version);
        Assert.Equal(2, drift.Windows.Count);
        var (latest, earlier) = (drift.Windows[0], drift.Windows[1]);
        Assert.Equal((10_000L, 10_000L), (latest.Records, earlier.Records));
        Assert.False(earlier.Drifted, string.Join("; ", earlier.Features.Select(f => $"{f.Feature} psi {f.Psi} ks p {f.KsPvalue}")));
        Assert.True(latest.Drifted);
        var tenureDrift = latest.Features.Single(f => f.Feature == "tenure");
        Assert.True(tenureDrift.Drifted);
        Assert.True(tenureDrift.Psi > 0.2 && tenureDrift.KsPvalue < 1e-6 && tenureDrift.Wasserstein > 0.5, $"psi {tenureDrift.Psi} ks p {tenureDrift.KsPvalue} w {tenureDrift.Wasserstein}");
        Assert.True(latest.Features.Single(f => f.Feature == "plan").Chi2Pvalue < 1e-6);
        Assert.Equal(19_998, drift.AwaitingLabels);

        await using var cli = ChildProcess.StartDotnet(Repo.CliDll, ["--server", server.GrpcAddress, "--tenant", tenant, "drift", "churn"]);
        Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("model churn, baseline of version 1: latest window", cli.Output, StringComparison.Ordinal);
        Assert.Contains("dataset drift YES (2 of 2 features)", cli.Output, StringComparison.Ordinal);
        Assert.Matches(@"tenure\s+numeric\s+yes\s+\d\.\d{3}", cli.Output);
    }

    [Fact]
    public async Task BadInput_IsRefusedNamingTheField()
    {
        var server = fixture.Server;
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument, async () =>
        {
            using var stream = server.Monitoring.StreamPredictions();
            await stream.RequestStream.WriteAsync(new PredictionBatch { Model = "churn", Task = "ranking" });
            await stream.RequestStream.CompleteAsync();
            await stream.ResponseAsync;
        }, "task: 'ranking' is not a task: use binary (the default), multiclass or regression");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => server.Monitoring.GetDriftAsync(new GetDriftRequest { Model = "Churn!" }).ResponseAsync, "model: 'Churn!' is not a model name");
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = $"t-{Guid.NewGuid():N}"[..12], Model = "nobody" }).ResponseAsync,
            "has no monitor yet");
    }
}
