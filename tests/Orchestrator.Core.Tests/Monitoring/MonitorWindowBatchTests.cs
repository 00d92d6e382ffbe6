using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Core.Drift;
using Orchestrator.Core.Models;
using Orchestrator.Core.Monitoring;

namespace Orchestrator.Core.Tests.Monitoring;

/// <summary>Verifies the columnar path (<see cref="MonitorWindow.AddBatch"/>) against the record path: the same records
/// give the same windows, cut at the same record, with the same scores, prediction distributions and per-version counts;
/// past the reservoir's size the binned scores stay equal; a badly shaped batch adds nothing.</summary>
public sealed class MonitorWindowBatchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private static readonly string[] NumericNames = ["age", "tenure", "not-in-baseline"];

    private static double Normal(Random random, double mean) =>
        mean + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static BaselineProfile Baseline()
    {
        var random = new Random(3);
        var training = Enumerable.Range(0, 5_000).Select(_ => Normal(random, 0)).ToArray();
        var bins = QuantileBinning.FromReference(training);
        var proportions = bins.Count(training).Select(c => c / 5_000.0).ToList();
        var feature = new NumericFeatureProfile { BinEdges = bins.Edges, Proportions = proportions, Sample = training[..1_000] };
        return new BaselineProfile
        {
            Numeric = new Dictionary<string, NumericFeatureProfile> { ["age"] = feature, ["tenure"] = feature },
            Categorical = new Dictionary<string, CategoricalFeatureProfile>
            {
                ["plan"] = new() { Frequencies = new Dictionary<string, double> { ["basic"] = 0.6, ["premium"] = 0.4 }, Count = 5_000 },
            },
        };
    }

    /// <summary>Records of shifting traffic as columns: some values missing (NaN, empty category), versions 0 and 2.</summary>
    private static PredictionColumns Traffic(int records, int seed)
    {
        var random = new Random(seed);
        var numeric = NumericNames.Select(_ => new double[records]).ToArray();
        var plan = new string[records];
        var predictions = new double[records];
        var versions = new int[records];
        for (var r = 0; r < records; r++)
        {
            for (var f = 0; f < numeric.Length; f++) numeric[f][r] = r % 97 == f ? double.NaN : Normal(random, r * 0.0005 * f);
            plan[r] = r % 89 == 0 ? "" : random.NextDouble() < 0.5 ? "basic" : r % 7 == 0 ? "trial" : "premium";
            predictions[r] = random.NextDouble();
            versions[r] = r % 5 == 0 ? 2 : 0;
        }

        return new PredictionColumns(records, NumericNames, numeric, ["plan"], [plan], predictions, null, versions);
    }

    private static PredictionColumns Slice(PredictionColumns all, int start, int count) => new(
        count, all.NumericFeatures, [.. all.Numeric.Select(c => c[start..(start + count)])], all.CategoricalFeatures,
        [.. all.Categorical.Select(c => c[start..(start + count)])], all.Predictions[start..(start + count)], null, all.Versions![start..(start + count)]);

    private static List<WindowReport> OneByOne(MonitorWindow monitor, PredictionColumns all, int watched, DateTimeOffset now)
    {
        var reports = new List<WindowReport>();
        for (var r = 0; r < all.Records; r++)
        {
            var numeric = new Dictionary<string, double>();
            for (var f = 0; f < all.NumericFeatures.Count; f++) numeric[all.NumericFeatures[f]] = all.Numeric[f][r];
            var categorical = new Dictionary<string, string>();
            if (all.Categorical[0][r].Length > 0) categorical["plan"] = all.Categorical[0][r];
            var version = all.Versions![r] > 0 ? all.Versions[r] : watched;
            if (monitor.Add(numeric, categorical, new PredictionObservation(all.Predictions[r], null, version), now) is { } report) reports.Add(report);
        }

        return reports;
    }

    private static List<WindowReport> InBatches(MonitorWindow monitor, PredictionColumns all, int batch, int watched, DateTimeOffset now)
    {
        var reports = new List<WindowReport>();
        for (var start = 0; start < all.Records; start += batch) reports.AddRange(monitor.AddBatch(Slice(all, start, Math.Min(batch, all.Records - start)), watched, now));
        return reports;
    }

    [Theory]
    [InlineData(300)]
    [InlineData(500)]
    [InlineData(1_700)]
    public void AddBatch_GivesTheSameWindowsAndScores_AsTheSameRecordsOneByOne(int batch)
    {
        // Windows no larger than the reservoir keep every value, so even KS and Wasserstein must agree exactly.
        var spec = new MonitorSpec(MaxRecords: 500, SampleSize: 1_000);
        var traffic = Traffic(2_300, seed: 11);
        var byRecord = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, spec, T0);
        var byColumn = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, spec, T0);

        var expected = OneByOne(byRecord, traffic, watched: 1, T0.AddMinutes(1));
        var actual = InBatches(byColumn, traffic, batch, watched: 1, T0.AddMinutes(1));

        Assert.Equal(4, expected.Count);
        Assert.Equal(JsonSerializer.Serialize(expected, Json), JsonSerializer.Serialize(actual, Json));
        Assert.Equal(byRecord.Records, byColumn.Records);
        Assert.Equal([1, 2], actual[0].ByVersion.Select(v => v.Version));
        Assert.Equal(500, actual[0].ByVersion.Sum(v => v.Predictions));
    }

    [Fact]
    public void AddBatch_PastTheReservoir_GivesTheSameBinnedScores_AndAnEquallyUniformSample()
    {
        var spec = new MonitorSpec(MaxRecords: 5_000, SampleSize: 1_000);
        var traffic = Traffic(5_000, seed: 12);
        var expected = OneByOne(new MonitorWindow(Baseline(), ModelTask.BinaryClassification, spec, T0), traffic, 1, T0).Single();
        var actual = InBatches(new MonitorWindow(Baseline(), ModelTask.BinaryClassification, spec, T0), traffic, 1_000, 1, T0).Single();

        Assert.Equal(expected.Records, actual.Records);
        Assert.Equal(expected.Scores.Select(s => (s.Feature, s.Psi, s.JensenShannon)), actual.Scores.Select(s => (s.Feature, s.Psi, s.JensenShannon)));
        Assert.Equal(JsonSerializer.Serialize(expected.Predictions, Json), JsonSerializer.Serialize(actual.Predictions, Json));
        foreach (var (e, a) in expected.Scores.Zip(actual.Scores).Where(p => p.First.KolmogorovSmirnov is not null))
        {
            var (byRecord, byColumn) = (e.KolmogorovSmirnov!.Statistic, a.KolmogorovSmirnov!.Statistic);
            Assert.True(Math.Abs(byRecord - byColumn) < 0.06, $"{e.Feature}: KS {byRecord} by record, {byColumn} by column");
        }
    }

    [Fact]
    public void AddBatch_AfterTheWindowsTime_ClosesTheOpenWindowFirst()
    {
        var monitor = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 10_000), T0);
        Assert.Empty(monitor.AddBatch(Traffic(200, seed: 1), 1, T0));

        var reports = monitor.AddBatch(Traffic(300, seed: 2), 1, T0.AddHours(2));

        Assert.Equal(200, Assert.Single(reports).Records);
        Assert.Equal((300L, T0.AddHours(2)), (monitor.Records, monitor.Start));
    }

    [Fact]
    public void AddBatch_WithAColumnOfTheWrongLength_IsRefused_AndAddsNothing()
    {
        var monitor = new MonitorWindow(Baseline(), ModelTask.BinaryClassification, new MonitorSpec(MaxRecords: 100), T0);
        var good = Traffic(50, seed: 1);
        var bad = good with { Predictions = good.Predictions[..49] };

        var error = Assert.Throws<ArgumentException>(() => monitor.AddBatch(bad, 1, T0));

        Assert.Contains("49 predictions for 50 records", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, monitor.Records);
    }
}
