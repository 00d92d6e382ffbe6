namespace Orchestrator.Core.Monitoring;

/// <summary>What kind of model a monitor watches, which decides its live metrics.</summary>
public enum ModelTask
{
    /// <summary>Binary classifier: the prediction is the positive class's score; labels are 0 or 1. Accuracy (score
    /// at least the threshold means positive) and ROC AUC.</summary>
    BinaryClassification = 1,
    /// <summary>A classifier whose prediction is a class name: accuracy.</summary>
    MulticlassClassification,
    /// <summary>Regressor: MAE and RMSE.</summary>
    Regression,
}

/// <summary>Live performance over the joined (prediction, label) pairs of one window: accuracy and AUC for
/// classifiers, MAE and RMSE for regressors. Bounded by the window: AUC keeps the window's scores to rank them.</summary>
public sealed class LiveMetrics(ModelTask task, double threshold = 0.5)
{
    private readonly List<(double Score, bool Positive)> _scored = [];
    private long _count;
    private long _correct;
    private double _absoluteError;
    private double _squaredError;

    /// <summary>The kind of model whose pairs these are.</summary>
    public ModelTask Task => task;

    /// <summary>Pairs counted.</summary>
    public long Count => _count;

    /// <summary>A binary classifier's pair: its score and whether the label was positive.</summary>
    public void AddBinary(double score, bool positive)
    {
        if (task != ModelTask.BinaryClassification) throw new InvalidOperationException($"a {task} monitor takes no binary labels");
        _count++;
        if (score >= threshold == positive) _correct++;
        _scored.Add((score, positive));
    }

    /// <summary>A classifier's pair by class name.</summary>
    public void AddClass(string predicted, string actual)
    {
        if (task != ModelTask.MulticlassClassification) throw new InvalidOperationException($"a {task} monitor takes no class labels");
        _count++;
        if (string.Equals(predicted, actual, StringComparison.Ordinal)) _correct++;
    }

    /// <summary>A regressor's pair.</summary>
    public void AddRegression(double predicted, double actual)
    {
        if (task != ModelTask.Regression) throw new InvalidOperationException($"a {task} monitor takes no regression labels");
        _count++;
        var error = predicted - actual;
        _absoluteError += Math.Abs(error);
        _squaredError += error * error;
    }

    /// <summary>The window's metrics by name (accuracy, auc, mae, rmse); empty before any pair. AUC needs both classes.</summary>
    public IReadOnlyDictionary<string, double> Compute()
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (_count == 0) return metrics;
        switch (task)
        {
            case ModelTask.BinaryClassification:
                metrics["accuracy"] = (double)_correct / _count;
                if (Auc(_scored) is { } auc) metrics["auc"] = auc;
                break;
            case ModelTask.MulticlassClassification:
                metrics["accuracy"] = (double)_correct / _count;
                break;
            case ModelTask.Regression:
                metrics["mae"] = _absoluteError / _count;
                metrics["rmse"] = Math.Sqrt(_squaredError / _count);
                break;
        }

        return metrics;
    }

    /// <summary>ROC AUC as the Mann-Whitney U statistic over ranks, ties sharing their mean rank (what
    /// sklearn.metrics.roc_auc_score computes); null when one class is missing.</summary>
    public static double? Auc(IReadOnlyList<(double Score, bool Positive)> pairs)
    {
        var positives = pairs.Count(p => p.Positive);
        var negatives = pairs.Count - positives;
        if (positives == 0 || negatives == 0) return null;
        var sorted = pairs.OrderBy(p => p.Score).ToArray();
        double positiveRanks = 0;
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j < sorted.Length && sorted[j].Score.Equals(sorted[i].Score)) j++;
            // Ranks i+1 .. j share their mean.
            var meanRank = (i + 1 + j) / 2.0;
            for (var k = i; k < j; k++)
            {
                if (sorted[k].Positive) positiveRanks += meanRank;
            }

            i = j;
        }

        return (positiveRanks - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
