using Orchestrator.Core.Models.Gates;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Models.Gates;

/// <summary>Verifies gate list validation: valid gates come back normalized (canonical expressions, explicit metric
/// directions), and every bad field is reported at once with its path and the fix.</summary>
public sealed class GateValidatorTests
{
    [Fact]
    public void Validate_NormalizesExpressionsAndFillsInTheDirection()
    {
        var valid = GateValidator.Validate(
        [
            new ValidationGate { Kind = GateKind.MetricThreshold, Expression = " auc >= 0.80 " },
            new ValidationGate { Kind = GateKind.BeatChampion, Metric = "val/rmse", Margin = 0.1 },
            new ValidationGate { Kind = GateKind.BeatChampion, Metric = "auc" },
            new ValidationGate { Kind = GateKind.BeatChampion, Metric = "loss", HigherIsBetter = true },
        ]);

        Assert.Equal("auc>=0.8", valid[0].Expression);
        Assert.Equal([false, true, true], valid.Skip(1).Select(g => g.HigherIsBetter!.Value));
    }

    [Fact]
    public void Validate_EveryProblem_IsReportedWithItsPath()
    {
        var error = Assert.Throws<ValidationException>(() => GateValidator.Validate(
        [
            new ValidationGate(),
            new ValidationGate { Kind = GateKind.MetricThreshold, Expression = "auc" },
            new ValidationGate { Kind = GateKind.BeatChampion, Metric = "", Margin = -0.1 },
            new ValidationGate { Kind = GateKind.SegmentGap, Metric = "accuracy@group=a", Segments = ["group=a", "group=a", "bad segment"], MaxGap = double.NaN },
            new ValidationGate { Kind = GateKind.MaxArtifactSize, MaxBytes = 0 },
        ]));

        Assert.Equal(
        [
            "gates[0]", "gates[1].metric_threshold.expression", "gates[2].beat_champion.metric", "gates[2].beat_champion.margin",
            "gates[3].segment_gap.metric", "gates[3].segment_gap.segments[1]", "gates[3].segment_gap.segments[2]", "gates[3].segment_gap.max_gap",
            "gates[4].max_artifact_size.max_bytes",
        ], error.Errors.Select(e => e.Field));
        Assert.Contains("give exactly one of metric_threshold", error.Errors[0].Message);
        Assert.Contains("listed twice", error.Errors[5].Message);
    }

    [Fact]
    public void Validate_ASegmentGapWithOneSegment_AsksForTwo()
    {
        var error = Assert.Single(Assert.Throws<ValidationException>(() => GateValidator.Validate(
            [new ValidationGate { Kind = GateKind.SegmentGap, Metric = "accuracy", Segments = ["group=a"], MaxGap = 0.05 }])).Errors);

        Assert.Equal("gates[0].segment_gap.segments", error.Field);
        Assert.Contains("give 2 to 100", error.Message);
    }

    [Fact]
    public void Validate_TooManyGates_IsRefused()
    {
        var gates = Enumerable.Repeat(new ValidationGate { Kind = GateKind.MaxArtifactSize, MaxBytes = 1 }, GateValidator.MaxGates + 1).ToList();

        var error = Assert.Single(Assert.Throws<ValidationException>(() => GateValidator.Validate(gates)).Errors);

        Assert.Equal("gates", error.Field);
    }

    [Fact]
    public void Validate_AnEmptyList_IsValid()
    {
        Assert.Empty(GateValidator.Validate([]));
    }

    [Fact]
    public void ARegisteredVersion_MayNameSegmentMetrics()
    {
        var spec = ModelSpecs.Valid() with { Metrics = new Dictionary<string, double> { ["accuracy@group=a"] = 0.9, ["accuracy@group=b"] = 0.88 } };

        Assert.Equal(2, Orchestrator.Core.Models.ModelVersionValidator.Validate(spec).Metrics.Count);
    }

    [Theory]
    [InlineData("rmse", false)]
    [InlineData("val/loss", false)]
    [InlineData("mae@group=a", false)]
    [InlineData("auc", true)]
    [InlineData("accuracy@group=a", true)]
    public void HigherIsBetter_ByDefault_UnlessTheMetricIsAnError(string metric, bool higher)
    {
        Assert.Equal(higher, MetricDirection.HigherIsBetter(metric));
    }
}
