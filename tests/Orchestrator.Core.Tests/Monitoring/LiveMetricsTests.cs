using Orchestrator.Core.Monitoring;

namespace Orchestrator.Core.Tests.Monitoring;

/// <summary>Verifies live performance metrics: accuracy at the threshold, ROC AUC by mean ranks (equal to counting
/// every positive-negative pair, ties counting a half) on a worked example and on random data, MAE and RMSE, class-name
/// accuracy, and that a monitor refuses labels of another kind.</summary>
public sealed class LiveMetricsTests
{
    [Fact]
    public void Binary_AccuracyAtTheThreshold_AndAucWithTies()
    {
        var metrics = new LiveMetrics(ModelTask.BinaryClassification);
        // Positives 0.9, 0.6, 0.4; negatives 0.6, 0.3, 0.1. Pairs won by the positive: 0.9 beats 3, 0.6 beats 2 and ties
        // 1, 0.4 beats 2: (3 + 2.5 + 2) / 9.
        foreach (var (score, positive) in new[] { (0.9, true), (0.6, true), (0.4, true), (0.6, false), (0.3, false), (0.1, false) })
            metrics.AddBinary(score, positive);

        var result = metrics.Compute();

        Assert.Equal(7.5 / 9, result["auc"], 12);
        // Right: 0.9 and 0.6 (positives at >= 0.5), 0.3 and 0.1 (negatives below); wrong: 0.4 and the negative 0.6.
        Assert.Equal(4.0 / 6, result["accuracy"], 12);
        Assert.Equal(6, metrics.Count);
    }

    [Fact]
    public void Auc_EqualsThePairCount_OnRandomScoresWithTies()
    {
        var random = new Random(20261129);
        for (var round = 0; round < 50; round++)
        {
            var pairs = Enumerable.Range(0, random.Next(2, 80))
                .Select(_ => (Score: Math.Round(random.NextDouble(), 1), Positive: random.Next(2) == 0)).ToList();
            var positives = pairs.Where(p => p.Positive).Select(p => p.Score).ToList();
            var negatives = pairs.Where(p => !p.Positive).Select(p => p.Score).ToList();
            if (positives.Count == 0 || negatives.Count == 0)
            {
                Assert.Null(LiveMetrics.Auc(pairs));
                continue;
            }

            var won = positives.Sum(p => negatives.Sum(n => p > n ? 1.0 : p.Equals(n) ? 0.5 : 0));

            Assert.Equal(won / (positives.Count * negatives.Count), LiveMetrics.Auc(pairs)!.Value, 12);
        }
    }

    [Fact]
    public void Regression_MaeAndRmse()
    {
        var metrics = new LiveMetrics(ModelTask.Regression);
        metrics.AddRegression(3, 1);
        metrics.AddRegression(1, 2);
        metrics.AddRegression(5, 5);

        var result = metrics.Compute();

        Assert.Equal(1.0, result["mae"], 12);
        Assert.Equal(Math.Sqrt(5.0 / 3), result["rmse"], 12);
        Assert.False(result.ContainsKey("accuracy"));
    }

    [Fact]
    public void Multiclass_AccuracyByName_AndLabelsOfAnotherKindAreRefused()
    {
        var metrics = new LiveMetrics(ModelTask.MulticlassClassification);
        metrics.AddClass("cat", "cat");
        metrics.AddClass("dog", "cat");

        Assert.Equal(0.5, metrics.Compute()["accuracy"]);
        Assert.Throws<InvalidOperationException>(() => metrics.AddRegression(1, 2));
        Assert.Empty(new LiveMetrics(ModelTask.Regression).Compute());
    }
}
