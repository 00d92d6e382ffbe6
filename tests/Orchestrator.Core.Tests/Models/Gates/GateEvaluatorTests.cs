using Orchestrator.Core.Models;
using Orchestrator.Core.Models.Gates;

namespace Orchestrator.Core.Tests.Models.Gates;

/// <summary>Verifies gate evaluation per kind: thresholds, beating the champion in either direction (and passing when
/// there is no champion), segment gaps (a missing segment fails naming it), artifact size; and that the overall result
/// passes only when every gate does.</summary>
public sealed class GateEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("auc>=0.8", 0.8, true)]
    [InlineData("auc>=0.8", 0.79, false)]
    [InlineData("auc>0.8", 0.8, false)]
    [InlineData("loss<0.5", 0.3, true)]
    public void Threshold_ComparesTheMetric(string expression, double auc, bool passed)
    {
        var result = GateEvaluator.Evaluate(Threshold(expression), Subject(1, ("auc", auc), ("loss", 0.3)), null);

        Assert.Equal(passed, result.Passed);
        Assert.Equal(expression.StartsWith("auc", StringComparison.Ordinal) ? auc : 0.3, result.Value);
    }

    [Fact]
    public void Threshold_MetricMissing_FailsNamingIt()
    {
        var result = GateEvaluator.Evaluate(Threshold("f1>=0.5"), Subject(3, ("auc", 0.9)), null);

        Assert.False(result.Passed);
        Assert.Null(result.Value);
        Assert.Equal((0.5, ">="), (result.Bound, result.Comparison));
        Assert.Contains("version 3 has no metric f1", result.Message);
    }

    [Fact]
    public void Threshold_OnASegmentMetric_ReadsTheWholeName()
    {
        var result = GateEvaluator.Evaluate(Threshold("accuracy@group=a>=0.9"), Subject(1, ("accuracy@group=a", 0.95)), null);

        Assert.True(result.Passed);
        Assert.Equal(0.9, result.Bound);
    }

    [Fact]
    public void BeatChampion_HigherIsBetter_NeedsTheMargin()
    {
        var gate = Beat("auc", 0.01, higher: true);
        var champion = Subject(1, ("auc", 0.88));

        var enough = GateEvaluator.Evaluate(gate, Subject(2, ("auc", 0.89)), champion);
        var notEnough = GateEvaluator.Evaluate(gate, Subject(2, ("auc", 0.885)), champion);

        Assert.True(enough.Passed, enough.Message);
        Assert.False(notEnough.Passed);
        Assert.Equal(0.89, notEnough.Bound!.Value, 12);
        Assert.Contains("does not beat the champion (version 1, 0.88)", notEnough.Message);
        Assert.Contains(">= 0.89", notEnough.Message);
    }

    [Fact]
    public void BeatChampion_LowerIsBetter_NeedsALowerValue()
    {
        var gate = Beat("rmse", 0.5, higher: false);
        var champion = Subject(1, ("rmse", 10.0));

        Assert.True(GateEvaluator.Evaluate(gate, Subject(2, ("rmse", 9.5)), champion).Passed);
        var worse = GateEvaluator.Evaluate(gate, Subject(2, ("rmse", 9.8)), champion);
        Assert.False(worse.Passed);
        Assert.Equal((9.5, "<="), (worse.Bound, worse.Comparison));
        Assert.Contains("lower is better", worse.Message);
    }

    [Fact]
    public void BeatChampion_WithoutAChampion_PassesAndSaysSo()
    {
        var result = GateEvaluator.Evaluate(Beat("auc", 0.01, higher: true), Subject(1, ("auc", 0.5)), null);

        Assert.True(result.Passed);
        Assert.Null(result.Bound);
        Assert.Contains("no champion yet", result.Message);
    }

    [Fact]
    public void BeatChampion_TheChampionItself_Passes()
    {
        var champion = Subject(4, ("auc", 0.9));

        var result = GateEvaluator.Evaluate(Beat("auc", 0.01, higher: true), champion, champion);

        Assert.True(result.Passed);
        Assert.Contains("is the champion itself", result.Message);
    }

    [Fact]
    public void BeatChampion_ChampionWithoutTheMetric_FailsSayingWhat()
    {
        var result = GateEvaluator.Evaluate(Beat("f1", 0, higher: true), Subject(2, ("f1", 0.7)), Subject(1, ("auc", 0.9)));

        Assert.False(result.Passed);
        Assert.Contains("the champion (version 1) has no metric f1", result.Message);
    }

    [Fact]
    public void SegmentGap_IsTheDifferenceBetweenTheBestAndTheWorstSegment()
    {
        var gate = Gap("accuracy", 0.05, "group=a", "group=b", "group=c");

        var fair = GateEvaluator.Evaluate(gate, Subject(1, ("accuracy@group=a", 0.90), ("accuracy@group=b", 0.87), ("accuracy@group=c", 0.85)), null);
        var unfair = GateEvaluator.Evaluate(gate, Subject(1, ("accuracy@group=a", 0.91), ("accuracy@group=b", 0.83), ("accuracy@group=c", 0.88)), null);

        Assert.True(fair.Passed, fair.Message);
        Assert.Equal(0.05, fair.Value!.Value, 12);
        Assert.False(unfair.Passed);
        Assert.Equal(0.08, unfair.Value!.Value, 12);
        Assert.Contains("between group=a (0.91) and group=b (0.83) is over 0.05", unfair.Message);
    }

    [Fact]
    public void SegmentGap_AMissingSegment_FailsNamingTheMetric()
    {
        var result = GateEvaluator.Evaluate(Gap("accuracy", 0.05, "group=a", "group=b"), Subject(2, ("accuracy@group=a", 0.9)), null);

        Assert.False(result.Passed);
        Assert.Null(result.Value);
        Assert.Contains("version 2 has no metric accuracy@group=b", result.Message);
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1025, false)]
    public void MaxArtifactSize_ComparesTheBytes(long size, bool passed)
    {
        var subject = new GateSubject(1, ModelSpecs.Valid() with { Artifact = new ModelArtifact { Digest = ModelSpecs.Digest, SizeBytes = size } });

        var result = GateEvaluator.Evaluate(new ValidationGate { Kind = GateKind.MaxArtifactSize, MaxBytes = 1024 }, subject, null);

        Assert.Equal((passed, (double?)size, (double?)1024), (result.Passed, result.Value, result.Bound));
        if (!passed) Assert.Contains("1,025 bytes, over the limit of 1,024", result.Message);
    }

    [Fact]
    public void Evaluate_PassesOnlyWhenEveryGatePasses_AndStampsTheEvaluation()
    {
        var gates = new[] { Threshold("auc>=0.8"), Threshold("loss<=0.1") };

        var evaluation = GateEvaluator.Evaluate(gates, Subject(5, ("auc", 0.9), ("loss", 0.3)), Subject(2, ("auc", 0.8)), gatesRevision: 3, Now);

        Assert.False(evaluation.Passed);
        Assert.Equal([true, false], evaluation.Results.Select(r => r.Passed));
        Assert.Equal((5, 3, 2, Now), (evaluation.Version, evaluation.GatesRevision, evaluation.ChampionVersion, evaluation.EvaluatedAt));
        Assert.Equal(["auc>=0.8", "loss<=0.1"], evaluation.Results.Select(r => r.Gate));
    }

    [Fact]
    public void Evaluate_NoGates_Passes()
    {
        var evaluation = GateEvaluator.Evaluate([], Subject(1), null, 0, Now);

        Assert.True(evaluation.Passed);
        Assert.Empty(evaluation.Results);
    }

    private static ValidationGate Threshold(string expression) => new() { Kind = GateKind.MetricThreshold, Expression = expression };

    private static ValidationGate Beat(string metric, double margin, bool higher) =>
        new() { Kind = GateKind.BeatChampion, Metric = metric, Margin = margin, HigherIsBetter = higher };

    private static ValidationGate Gap(string metric, double maxGap, params string[] segments) =>
        new() { Kind = GateKind.SegmentGap, Metric = metric, Segments = segments, MaxGap = maxGap };

    private static GateSubject Subject(int version, params (string Name, double Value)[] metrics) =>
        new(version, ModelSpecs.Valid() with { Metrics = metrics.ToDictionary(m => m.Name, m => m.Value) });
}
