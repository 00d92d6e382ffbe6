using Orchestrator.Core.Models;

namespace Orchestrator.Core.Tests.Models;

/// <summary>Verifies the side-by-side comparison of two versions and the content digest used for idempotent registration.</summary>
public sealed class ModelComparisonTests
{
    [Fact]
    public void Of_ListsEveryMetricAndParameterOfEitherVersion_WithDifferences()
    {
        var a = ModelSpecs.Valid(auc: 0.8);
        var b = ModelSpecs.Valid(auc: 0.9) with
        {
            Parameters = new Dictionary<string, string> { ["epochs"] = "200", ["lr"] = "0.01", ["depth"] = "6" },
            Metrics = new Dictionary<string, double> { ["auc"] = 0.9, ["f1"] = 0.7 },
            Artifact = new ModelArtifact { Digest = new string('b', 64), SizeBytes = 1 },
        };

        var c = ModelComparison.Of(a, b);

        Assert.Equal(["auc", "f1", "loss"], c.Metrics.Select(m => m.Name));
        Assert.Equal(0.1, c.Metrics[0].Delta!.Value, 12);
        Assert.Equal((null, 0.7, null), (c.Metrics[1].A, c.Metrics[1].B, c.Metrics[1].Delta));
        Assert.Equal((0.3, null), (c.Metrics[2].A, c.Metrics[2].B));
        Assert.Equal(["depth", "epochs", "lr"], c.Parameters.Select(p => p.Name));
        Assert.Equal([true, true, false], c.Parameters.Select(p => p.Differs));
        Assert.Equal((null, "6"), (c.Parameters[0].A, c.Parameters[0].B));
        Assert.True(c.ArtifactDiffers);
        Assert.False(c.TrainingDataDiffers);
    }

    [Fact]
    public void Digest_IgnoresMapOrder_AndChangesWithContent()
    {
        var a = ModelSpecs.Valid();
        var reordered = a with { Parameters = new Dictionary<string, string> { ["lr"] = "0.01", ["epochs"] = "150" } };

        Assert.Equal(ModelVersionDigest.Of(a), ModelVersionDigest.Of(reordered));
        Assert.NotEqual(ModelVersionDigest.Of(a), ModelVersionDigest.Of(ModelSpecs.Valid(auc: 0.91)));
        Assert.NotEqual(ModelVersionDigest.Of(a), ModelVersionDigest.Of(ModelSpecs.WithNumeric(new NumericFeatureProfile { BinEdges = [1], Proportions = [0.5, 0.5] })));
    }
}
