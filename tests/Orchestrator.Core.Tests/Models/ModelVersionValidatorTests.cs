using Orchestrator.Core.Models;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Core.Tests.Models;

/// <summary>Verifies version validation: a valid version is normalized; each kind of bad field (artifact, metrics,
/// tags, and every rule of the baseline profile) is refused with its field path and the fix, all problems at once.</summary>
public sealed class ModelVersionValidatorTests
{
    [Fact]
    public void Validate_AValidVersion_NormalizesItsDigests()
    {
        var spec = ModelSpecs.Valid() with
        {
            Artifact = new ModelArtifact { Digest = "sha256:" + ModelSpecs.Digest.ToUpperInvariant(), SizeBytes = 1 },
            TrainingDataDigest = "sha256:" + new string('A', 64),
        };

        var valid = ModelVersionValidator.Validate(spec);

        Assert.Equal(ModelSpecs.Digest, valid.Artifact.Digest);
        Assert.Equal(new string('a', 64), valid.TrainingDataDigest);
    }

    [Fact]
    public void Validate_AnEmptyVersion_NamesTheArtifactFields()
    {
        var error = Assert.Throws<ValidationException>(() => ModelVersionValidator.Validate(new ModelVersionSpec()));

        Assert.Equal(["artifact.digest", "artifact.size_bytes"], error.Errors.Select(e => e.Field));
        Assert.Contains("sha256sum", error.Errors[0].Message);
    }

    [Fact]
    public void Validate_ReportsEveryProblemWithItsPath()
    {
        var spec = ModelSpecs.Valid() with
        {
            Artifact = new ModelArtifact { Digest = "abc", SizeBytes = 5 },
            Metrics = new Dictionary<string, double> { ["auc"] = double.NaN, ["bad name!"] = 1 },
            Tags = new Dictionary<string, string> { ["-x"] = "y" },
            TrainingDataDigest = "nope",
        };

        var fields = Assert.Throws<ValidationException>(() => ModelVersionValidator.Validate(spec)).Errors.Select(e => e.Field).ToList();

        Assert.Equal(["artifact.digest", "metrics.auc", "metrics.bad name!", "training_data_digest", "tags.-x"], fields);
    }

    [Theory]
    [InlineData(new double[] { 30, 30, 60 }, new[] { 0.25, 0.25, 0.3, 0.2 }, "profile.numeric.age.bin_edges[1]", "strictly ascending")]
    [InlineData(new double[] { 30, double.PositiveInfinity }, new[] { 0.5, 0.3, 0.2 }, "profile.numeric.age.bin_edges[1]", "not a finite number")]
    [InlineData(new double[] { 30, 45, 60 }, new[] { 0.5, 0.5 }, "profile.numeric.age.proportions", "give 4, one per bin")]
    [InlineData(new double[] { 30, 45, 60 }, new[] { 0.25, 0.25, 0.3, 0.3 }, "profile.numeric.age.proportions", "must sum to 1")]
    [InlineData(new double[] { 30, 45, 60 }, new[] { 0.25, -0.25, 0.5, 0.5 }, "profile.numeric.age.proportions[1]", "from 0 to 1")]
    [InlineData(new double[] { }, new[] { 1.0 }, "profile.numeric.age.bin_edges", "at least one edge")]
    public void Validate_ABadNumericProfile_NamesTheFieldAndTheFix(double[] edges, double[] proportions, string field, string fix)
    {
        var spec = ModelSpecs.WithNumeric(new NumericFeatureProfile { BinEdges = edges, Proportions = proportions });

        var error = Assert.Single(Assert.Throws<ValidationException>(() => ModelVersionValidator.Validate(spec)).Errors);

        Assert.Equal(field, error.Field);
        Assert.Contains(fix, error.Message);
    }

    [Fact]
    public void Validate_ProportionsWithinTheTolerance_AreAccepted()
    {
        var spec = ModelSpecs.WithNumeric(new NumericFeatureProfile { BinEdges = [0], Proportions = [0.5, 0.5 + 9e-7] });

        ModelVersionValidator.Validate(spec);
    }

    [Fact]
    public void Validate_ASampleOverTheBound_IsRefused_AndNaNsAreCountedOnce()
    {
        var tooBig = ModelSpecs.WithNumeric(new NumericFeatureProfile { BinEdges = [0], Proportions = [0.5, 0.5], Sample = new double[10_001] });
        var withNaN = ModelSpecs.WithNumeric(new NumericFeatureProfile { BinEdges = [0], Proportions = [0.5, 0.5], Sample = [1, double.NaN, 2, double.NaN] });

        var big = Assert.Single(Assert.Throws<ValidationException>(() => ModelVersionValidator.Validate(tooBig)).Errors);
        var nan = Assert.Single(Assert.Throws<ValidationException>(() => ModelVersionValidator.Validate(withNaN)).Errors);

        Assert.Equal(("profile.numeric.age.sample", true), (big.Field, big.Message.Contains("at most 10000", StringComparison.Ordinal)));
        Assert.Equal("profile.numeric.age.sample[1]", nan.Field);
        Assert.Contains("the first of 2 such values", nan.Message);
        ModelVersionValidator.Validate(ModelSpecs.WithNumeric(new NumericFeatureProfile { BinEdges = [0], Proportions = [0.5, 0.5], Sample = new double[10_000] }));
    }

    [Fact]
    public void Validate_ABadCategoricalProfile_NamesTheCategory()
    {
        var profile = ModelSpecs.Valid().Profile with
        {
            Categorical = new Dictionary<string, CategoricalFeatureProfile>
            {
                ["plan"] = new() { Frequencies = new Dictionary<string, double> { ["basic"] = 0.7, ["premium"] = 0.4 } },
                ["region"] = new() { Frequencies = new Dictionary<string, double> { ["eu"] = 1.5 } },
                ["age"] = new() { Frequencies = new Dictionary<string, double> { ["young"] = 1 } },
                ["empty"] = new(),
            },
        };

        var errors = Assert.Throws<ValidationException>(() => ModelVersionValidator.Validate(ModelSpecs.Valid() with { Profile = profile })).Errors;

        Assert.Equal(
            ["profile.categorical.age", "profile.categorical.empty.frequencies", "profile.categorical.plan.frequencies", "profile.categorical.region.frequencies.eu"],
            errors.Select(e => e.Field));
        Assert.Contains("not both", errors[0].Message);
        Assert.Contains("sum to 1.1", errors[2].Message);
    }
}
