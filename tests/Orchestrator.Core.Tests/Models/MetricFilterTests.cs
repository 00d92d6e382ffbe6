using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Models;

/// <summary>Verifies metric threshold parsing (every operator, spaces, bad input named with the fix) and matching
/// (a version without the metric never matches).</summary>
public sealed class MetricFilterTests
{
    [Theory]
    [InlineData("auc>=0.8", "auc", MetricComparisonOperator.AtLeast, 0.8)]
    [InlineData("auc > 0.8", "auc", MetricComparisonOperator.GreaterThan, 0.8)]
    [InlineData("loss<=1e-3", "loss", MetricComparisonOperator.AtMost, 0.001)]
    [InlineData("loss<2", "loss", MetricComparisonOperator.LessThan, 2)]
    [InlineData("val/acc=1", "val/acc", MetricComparisonOperator.EqualTo, 1)]
    [InlineData("val/acc==1", "val/acc", MetricComparisonOperator.EqualTo, 1)]
    [InlineData("f1!=-0.5", "f1", MetricComparisonOperator.NotEqualTo, -0.5)]
    [InlineData("accuracy@group=a>=0.9", "accuracy@group=a", MetricComparisonOperator.AtLeast, 0.9)]
    [InlineData("accuracy@group=a = 0.9", "accuracy@group=a", MetricComparisonOperator.EqualTo, 0.9)]
    public void Parse_ReadsNameOperatorAndThreshold(string text, string metric, MetricComparisonOperator op, double threshold)
    {
        var filter = MetricFilter.Parse(text, "metric");

        Assert.Equal((metric, op, threshold), (filter.Metric, filter.Operator, filter.Threshold));
    }

    [Theory]
    [InlineData("auc", "has no comparison")]
    [InlineData("auc!0.8", "has no comparison")]
    [InlineData(">=0.8", "is not a metric name")]
    [InlineData("auc>=high", "is not a number")]
    [InlineData("auc>=NaN", "is not a number")]
    public void Parse_BadText_NamesTheFieldAndShowsAnExample(string text, string problem)
    {
        var error = Assert.Single(Assert.Throws<ValidationException>(() => MetricFilter.Parse(text, "metric_filters[0]")).Errors);

        Assert.Equal("metric_filters[0]", error.Field);
        Assert.Contains(problem, error.Message);
        Assert.Contains("'auc>=0.8'", error.Message);
    }

    [Fact]
    public void Matches_ComparesTheMetric_AndAMissingMetricNeverMatches()
    {
        var metrics = new Dictionary<string, double> { ["auc"] = 0.8 };

        Assert.True(MetricFilter.Parse("auc>=0.8", "m").Matches(metrics));
        Assert.False(MetricFilter.Parse("auc>0.8", "m").Matches(metrics));
        Assert.True(MetricFilter.Parse("auc!=0.7", "m").Matches(metrics));
        Assert.False(MetricFilter.Parse("loss<1", "m").Matches(metrics));
        Assert.False(MetricFilter.Parse("loss!=1", "m").Matches(metrics));
    }

    [Fact]
    public void VersionFilter_RequiresEveryCondition()
    {
        var spec = ModelSpecs.Valid(auc: 0.9);
        var all = new ModelVersionFilter
        {
            Tags = new Dictionary<string, string> { ["team"] = "ml" }, Alias = "champion", RunId = "run-1a2b3c4d5e6f7a8b",
            Metrics = [MetricFilter.Parse("auc>=0.85", "m")],
        };

        Assert.True(all.Matches(spec, ["champion"]));
        Assert.False(all.Matches(spec, ["challenger"]));
        Assert.False(all.Matches(spec with { Tags = new Dictionary<string, string> { ["team"] = "risk" } }, ["champion"]));
        Assert.False(all.Matches(spec with { Source = new ModelSource { RunId = "run-ffffffffffffffff" } }, ["champion"]));
        Assert.False(all.Matches(ModelSpecs.Valid(auc: 0.8), ["champion"]));
        Assert.True(new ModelVersionFilter().Matches(spec, []));
    }
}
