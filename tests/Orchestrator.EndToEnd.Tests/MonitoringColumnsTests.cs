using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Prediction batches as columns through a real server over gRPC: the same traffic streamed as records to one
/// model and as columns to a twin gives the same windows (records, PSI, prediction distribution, per-version counts,
/// open records, predictions awaiting labels) and labels join by request id; a badly shaped batch is refused with
/// INVALID_ARGUMENT naming <c>columns.&lt;field&gt;</c>, and nothing of it is applied.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class MonitoringColumnsTests(EmbeddedServerFixture fixture)
{
    private static readonly string[] Features = ["age", "tenure"];

    private static double Normal(Random random, double mean) =>
        mean + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private async Task RegisterAsync(string tenant, string model)
    {
        var random = new Random(5);
        var version = new ModelVersionSpec { Artifact = new ModelArtifact { Digest = new string('b', 64), SizeBytes = 1024 }, Profile = new BaselineProfile() };
        foreach (var name in Features)
        {
            var feature = new NumericFeatureProfile();
            feature.BinEdges.AddRange([-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816]);
            feature.Proportions.AddRange(Enumerable.Repeat(0.1, 10));
            feature.Sample.AddRange(Enumerable.Range(0, 1_000).Select(_ => Normal(random, 0)));
            version.Profile.Numeric[name] = feature;
        }

        await fixture.Server.Models.RegisterModelVersionAsync(new RegisterModelVersionRequest { Tenant = tenant, Name = model, Version = version });
        await fixture.Server.Models.SetAliasAsync(new SetAliasRequest { Tenant = tenant, Name = model, Alias = "champion", Version = "1" });
    }

    /// <summary>One batch both ways: records with maps for <paramref name="recordsModel"/>, columns for <paramref name="columnsModel"/>.</summary>
    private static (PredictionBatch Records, PredictionBatch Columns) Batch(string tenant, string recordsModel, string columnsModel, int batch, int size, Random random)
    {
        var records = new PredictionBatch { Tenant = tenant, Model = recordsModel };
        var columns = new PredictionBatch { Tenant = tenant, Model = columnsModel, Columns = new PredictionColumns { Records = size } };
        columns.Columns.NumericFeatures.AddRange(Features);
        var values = new double[Features.Length][];
        for (var f = 0; f < Features.Length; f++) values[f] = [.. Enumerable.Range(0, size).Select(_ => Normal(random, batch >= 10 ? 1 : 0))];
        for (var r = 0; r < size; r++)
        {
            var record = new PredictionRecord { RequestId = $"r-{batch}-{r}", Prediction = random.NextDouble(), Version = r % 4 == 0 ? 2 : 0 };
            for (var f = 0; f < Features.Length; f++) record.Numeric[Features[f]] = values[f][r];
            records.Records.Add(record);
            columns.Columns.RequestIds.Add(record.RequestId);
            columns.Columns.Predictions.Add(record.Prediction);
            columns.Columns.Versions.Add(record.Version);
        }

        foreach (var column in values) columns.Columns.Values.AddRange(column);
        return (records, columns);
    }

    private static async Task<StreamPredictionsResponse> StreamAsync(MonitoringService.MonitoringServiceClient client, IEnumerable<PredictionBatch> batches)
    {
        using var stream = client.StreamPredictions();
        foreach (var batch in batches) await stream.RequestStream.WriteAsync(batch);
        await stream.RequestStream.CompleteAsync();
        return await stream.ResponseAsync;
    }

    [Fact]
    public async Task Columns_GiveTheSameWindowsAsTheSameRecords_AndTheirLabelsJoin()
    {
        var server = fixture.Server;
        var tenant = $"col-{Guid.NewGuid():N}"[..16];
        await RegisterAsync(tenant, "by-record");
        await RegisterAsync(tenant, "by-column");
        var random = new Random(9);
        var batches = Enumerable.Range(0, 23).Select(b => Batch(tenant, "by-record", "by-column", b, 1_000, random)).ToList();

        var byRecord = await StreamAsync(server.Monitoring, batches.Select(b => b.Records));
        var byColumn = await StreamAsync(server.Monitoring, batches.Select(b => b.Columns));

        Assert.Equal((23_000L, 2), (byColumn.Records, byColumn.WindowsClosed));
        Assert.Equal((byRecord.Records, byRecord.WindowsClosed), (byColumn.Records, byColumn.WindowsClosed));
        var expected = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "by-record" });
        var actual = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "by-column" });
        Assert.Equal((expected.OpenRecords, expected.AwaitingLabels), (actual.OpenRecords, actual.AwaitingLabels));
        Assert.Equal((3_000L, 23_000L), (actual.OpenRecords, actual.AwaitingLabels));
        Assert.Equal(expected.Windows.Count, actual.Windows.Count);
        foreach (var (e, a) in expected.Windows.Zip(actual.Windows))
        {
            Assert.Equal((e.Records, e.Drifted), (a.Records, a.Drifted));
            // Bins are counted exactly; KS reads a reservoir sample, drawn in another order by column.
            Assert.Equal(e.Features.Select(f => (f.Feature, f.Psi, f.JsDistance, f.Drifted)), a.Features.Select(f => (f.Feature, f.Psi, f.JsDistance, f.Drifted)));
            Assert.Equal(e.Predictions.Counts, a.Predictions.Counts);
            Assert.Equal(e.ByVersion.Select(v => (v.Version, v.Predictions)), a.ByVersion.Select(v => (v.Version, v.Predictions)));
        }

        Assert.True(actual.Windows[0].Drifted, "the second window's traffic is shifted by one standard deviation");
        Assert.Equal([(1, 7_500L), (2, 2_500L)], actual.Windows[0].ByVersion.Select(v => (v.Version, v.Predictions)));
        var labels = new LabelBatch { Tenant = tenant, Model = "by-column" };
        labels.Labels.Add(new Label { RequestId = "r-22-5", Value = 1 });
        labels.Labels.Add(new Label { RequestId = "never-sent", Value = 1 });
        var joined = await server.Monitoring.SendLabelsAsync(labels);
        Assert.Equal((1L, 1L), (joined.Joined, joined.Unmatched));
    }

    public static TheoryData<string, string[]> BadColumns => new()
    {
        { "values", ["columns.values", "has 3 values, not 2 numeric features x 2 records = 4", "feature-major"] },
        { "infinity", ["columns.values", "record 1 of feature 'tenure' is infinite"] },
        { "request_ids", ["columns.request_ids", "has 1 entries for 2 records: give one per record, or none"] },
        { "versions", ["columns.versions", "record 0: -3 is not a version"] },
        { "predictions", ["columns.predictions", "record 1: the prediction must be a finite number"] },
        { "duplicate", ["columns.numeric_features[1]", "'age' is named twice"] },
        { "records", ["columns.records", "0 is not a record count: give 1 to 10,000"] },
        { "both", ["columns", "has both records and columns"] },
    };

    [Theory]
    [MemberData(nameof(BadColumns))]
    public async Task BadColumns_AreRefusedNamingTheField_AndNothingIsApplied(string bad, string[] fragments)
    {
        var server = fixture.Server;
        var tenant = $"bad-{Guid.NewGuid():N}"[..16];
        await RegisterAsync(tenant, "churn");
        var random = new Random(1);
        Assert.Equal(500, (await StreamAsync(server.Monitoring, [Batch(tenant, "churn", "churn", 0, 500, random).Columns])).Records);
        var good = Batch(tenant, "churn", "churn", 1, 500, random).Columns;
        var batch = new PredictionBatch { Tenant = tenant, Model = "churn", Columns = new PredictionColumns { Records = 2 } };
        batch.Columns.NumericFeatures.AddRange(Features);
        batch.Columns.Values.AddRange([0.1, 0.2, 0.3, 0.4]);
        switch (bad)
        {
            case "values": batch.Columns.Values.RemoveAt(3); break;
            case "infinity": batch.Columns.Values[3] = double.PositiveInfinity; break;
            case "request_ids": batch.Columns.RequestIds.Add("only-one"); break;
            case "versions": batch.Columns.Versions.AddRange([-3, 0]); break;
            case "predictions": batch.Columns.Predictions.AddRange([0.5, double.NaN]); break;
            case "duplicate": batch.Columns.NumericFeatures[1] = "age"; break;
            case "records": batch.Columns.Records = 0; break;
            case "both": batch.Records.Add(new PredictionRecord { Prediction = 0.5 }); break;
        }

        // A good batch first on the same stream is applied; the bad one after it, not at all.
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument, () => StreamAsync(server.Monitoring, [good, batch]), ["batch 1", .. fragments]);

        var drift = await server.Monitoring.GetDriftAsync(new GetDriftRequest { Tenant = tenant, Model = "churn" });
        Assert.Equal((1_000L, 1_000L), (drift.OpenRecords, drift.AwaitingLabels));
    }
}
