using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A deployment's monitor configuration through a real server: windows close at the configured size; with the
/// other statistics' bounds out of reach, a stricter PSI bound alone decides that a mildly shifted window drifts; the
/// configuration reads back with defaults filled in (also through `orch drift config`); bad values are refused naming
/// the field.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class MonitorConfigTests(EmbeddedServerFixture fixture)
{
    [Fact]
    public async Task WindowsCloseAtTheConfiguredSize_AndTheThresholdsDecideDrift()
    {
        var server = fixture.Server;
        var tenant = $"cfg-{Guid.NewGuid():N}"[..16];
        var random = new Random(3);
        var sample = Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).Order().ToList();
        var feature = new NumericFeatureProfile();
        feature.BinEdges.AddRange(Enumerable.Range(1, 9).Select(k => sample[sample.Count * k / 10]));
        feature.Proportions.AddRange(Enumerable.Repeat(0.1, 10));
        feature.Sample.AddRange(sample.Where((_, i) => i % 2 == 0));
        var version = new ModelVersionSpec { Artifact = new ModelArtifact { Digest = new string('d', 64), SizeBytes = 1 }, Profile = new BaselineProfile() };
        version.Profile.Numeric["x"] = feature;
        await server.Models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = "m", Version = version });
        await server.Models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = "m", Alias = "champion", Version = "1" });

        var strict = new MonitorConfig { WindowRecords = 500, Thresholds = new DriftThresholdsConfig { Psi = 0.02, KsPvalue = 1e-12, JsDistance = 1, Wasserstein = 100 } };
        var set = await server.Monitoring.SetMonitorConfigAsync(new SetMonitorConfigRequest { Tenant = tenant, Model = "m", Config = strict });
        Assert.Equal((500, "1h", 1_000, 0.02, 0.05), (set.WindowRecords, set.WindowDuration, set.SampleSize, set.Thresholds.Psi, set.Thresholds.Chi2Pvalue));

        // 85% like the baseline (uniform on [0, 1)), 15% in its top decile: a mild shift, PSI about 0.14 per window.
        var batch = new PredictionBatch { Tenant = tenant, Model = "m" };
        for (var i = 0; i < 1_000; i++)
        {
            var x = random.NextDouble() < 0.15 ? 0.9 + 0.1 * random.NextDouble() : random.NextDouble();
            batch.Records.Add(new PredictionRecord { Numeric = { ["x"] = x }, Prediction = 0.5 });
        }
        using (var stream = server.Monitoring.StreamPredictions())
        {
            await stream.RequestStream.WriteAsync(batch);
            await stream.RequestStream.CompleteAsync();
            Assert.Equal(2, (await stream).WindowsClosed);
        }

        var drift = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "m", Windows = 2 });
        Assert.All(drift.Windows, w => Assert.Equal(500, w.Records));
        Assert.All(drift.Windows, w => Assert.True(w.Drifted && w.Features[0].Psi is > 0.02 and < 0.2, $"PSI {w.Features[0].Psi}"));

        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => server.Monitoring.SetMonitorConfigAsync(new SetMonitorConfigRequest { Tenant = tenant, Model = "m", Config = new MonitorConfig { Thresholds = new DriftThresholdsConfig { KsPvalue = 1.5 } } }).ResponseAsync,
            "config.thresholds.ks_pvalue", "(0, 1)");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => server.Monitoring.SetMonitorConfigAsync(new SetMonitorConfigRequest { Tenant = tenant, Model = "m", Config = new MonitorConfig { WindowRecords = 5 } }).ResponseAsync,
            "config.window_records");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => server.Monitoring.SetMonitorConfigAsync(new SetMonitorConfigRequest { Tenant = tenant, Model = "m", Config = new MonitorConfig { WindowDuration = "soon" } }).ResponseAsync,
            "config.window_duration");

        await using var cli = ChildProcess.StartDotnet(Repo.CliDll, ["--server", server.GrpcAddress, "--tenant", tenant, "drift", "config", "m"]);
        Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("model m: windows close at 500 records or 1h; 1,000 values sampled per numeric feature; a feature drifts at PSI 0.02", cli.Output);
    }
}
