using Google.Protobuf;
using Orchestrator.Contracts.V1;

namespace Orchestrator.LoadTests.Ingest;

/// <summary>The ingest benchmark's data: a baseline profile of numeric features f00, f01, ... (feature f uniform on
/// [f, f + 1): deciles and a 1,000-value sample), and per model one batch of records drawn from it, encoded in both forms
/// (records with maps, and columns) and wrapped for the raw sink, all before the measurement.</summary>
internal sealed class IngestWorkload
{
    private IngestWorkload(BaselineProfile profile, byte[][] records, byte[][] columns, byte[][] recordsSink, byte[][] columnsSink)
    {
        Profile = profile;
        Records = records;
        Columns = columns;
        RecordsSink = recordsSink;
        ColumnsSink = columnsSink;
    }

    /// <summary>The baseline every model is registered with.</summary>
    public BaselineProfile Profile { get; }

    /// <summary>Per model, an encoded batch with the records as maps.</summary>
    public byte[][] Records { get; }

    /// <summary>Per model, an encoded batch with the same records as columns.</summary>
    public byte[][] Columns { get; }

    /// <summary>Per model, the records batch's bytes as the payload of a sink message.</summary>
    public byte[][] RecordsSink { get; }

    /// <summary>Per model, the columns batch's bytes as the payload of a sink message.</summary>
    public byte[][] ColumnsSink { get; }

    /// <summary>A model's name.</summary>
    public static string ModelName(int model) => $"ingest-{model:D3}";

    /// <summary>Feature f's name.</summary>
    public static string FeatureName(int feature) => $"f{feature:D2}";

    /// <summary>Draws and encodes every model's batch.</summary>
    public static IngestWorkload Create(IngestSettings settings, int seed = 1)
    {
        var random = new Random(seed);
        var profile = new BaselineProfile();
        for (var f = 0; f < settings.Features; f++)
        {
            var feature = new NumericFeatureProfile();
            feature.BinEdges.AddRange(Enumerable.Range(1, 9).Select(d => f + d / 10.0));
            feature.Proportions.AddRange(Enumerable.Repeat(0.1, 10));
            feature.Sample.AddRange(Enumerable.Range(0, 1_000).Select(i => f + (i + 0.5) / 1_000));
            profile.Numeric[FeatureName(f)] = feature;
        }

        var n = settings.BatchRecords;
        var records = new byte[settings.Models][];
        var columns = new byte[settings.Models][];
        for (var m = 0; m < settings.Models; m++)
        {
            var byRecord = new PredictionBatch { Tenant = settings.Tenant, Model = ModelName(m) };
            var byColumn = new PredictionBatch { Tenant = settings.Tenant, Model = ModelName(m), Columns = new PredictionColumns { Records = n } };
            var values = new double[settings.Features, n];
            for (var f = 0; f < settings.Features; f++)
            {
                byColumn.Columns.NumericFeatures.Add(FeatureName(f));
                for (var r = 0; r < n; r++) values[f, r] = f + random.NextDouble();
            }

            for (var r = 0; r < n; r++)
            {
                var record = new PredictionRecord { RequestId = $"m{m}-r{r}", Prediction = random.NextDouble() };
                for (var f = 0; f < settings.Features; f++) record.Numeric[FeatureName(f)] = values[f, r];
                byRecord.Records.Add(record);
                byColumn.Columns.RequestIds.Add(record.RequestId);
                byColumn.Columns.Predictions.Add(record.Prediction);
            }

            for (var f = 0; f < settings.Features; f++)
            {
                for (var r = 0; r < n; r++) byColumn.Columns.Values.Add(values[f, r]);
            }

            records[m] = byRecord.ToByteArray();
            columns[m] = byColumn.ToByteArray();
        }

        return new IngestWorkload(profile, records, columns, [.. records.Select(Sink)], [.. columns.Select(Sink)]);
    }

    private static byte[] Sink(byte[] batch) => new EchoRequest { Payload = ByteString.CopyFrom(batch) }.ToByteArray();
}
