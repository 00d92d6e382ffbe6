using Orchestrator.Core.Models;

namespace Orchestrator.Core.Tests.Models;

/// <summary>Verifies reading metrics and baseline profiles from the JSON a training step writes: the registry's field
/// names, and errors that give the JSON path.</summary>
public sealed class ModelVersionJsonTests
{
    [Fact]
    public void ReadProfile_ProtoFieldNames_ReadsNumericAndCategoricalFeatures()
    {
        var profile = ModelVersionJson.ReadProfile("""
            {"numeric": {"age": {"bin_edges": [30, 50], "proportions": [0.2, 0.5, 0.3], "sample": [25, 41]}},
             "categorical": {"plan": {"frequencies": {"basic": 1.0}, "count": 10}}}
            """);

        Assert.Equal([30.0, 50.0], profile.Numeric["age"].BinEdges);
        Assert.Equal([0.2, 0.5, 0.3], profile.Numeric["age"].Proportions);
        Assert.Equal([25.0, 41.0], profile.Numeric["age"].Sample);
        Assert.Equal(1.0, profile.Categorical["plan"].Frequencies["basic"]);
        Assert.Equal(10, profile.Categorical["plan"].Count);
    }

    [Fact]
    public void ReadProfile_UnknownField_IsRefusedWithItsPath()
    {
        var error = Assert.Throws<FormatException>(() => ModelVersionJson.ReadProfile("""{"numeric": {"age": {"edges": [1]}}}"""));

        Assert.Contains("$.numeric.age.edges", error.Message);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{\"auc\": true}")]
    [InlineData("auc=0.9")]
    [InlineData("null")]
    public void ReadMetrics_NotANumberMap_IsRefused(string json)
    {
        var error = Assert.Throws<FormatException>(() => ModelVersionJson.ReadMetrics(json));

        Assert.Contains("JSON object of numbers by name", error.Message);
    }
}
