using Orchestrator.Core.Models;

namespace Orchestrator.Core.Tests.Models;

/// <summary>Valid versions to start tests from.</summary>
internal static class ModelSpecs
{
    public const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static ModelVersionSpec Valid(double auc = 0.9) => new()
    {
        Artifact = new ModelArtifact { Digest = Digest, SizeBytes = 1024 },
        Source = new ModelSource { RunId = "run-1a2b3c4d5e6f7a8b", StepKey = "train", Pipeline = "churn", PipelineVersion = 2 },
        Parameters = new Dictionary<string, string> { ["epochs"] = "150", ["lr"] = "0.01" },
        Metrics = new Dictionary<string, double> { ["auc"] = auc, ["loss"] = 0.3 },
        Tags = new Dictionary<string, string> { ["team"] = "ml" },
        Profile = new BaselineProfile
        {
            Numeric = new Dictionary<string, NumericFeatureProfile>
            {
                ["age"] = new() { BinEdges = [30, 45, 60], Proportions = [0.25, 0.25, 0.3, 0.2], Sample = [22, 35, 51, 70] },
            },
            Categorical = new Dictionary<string, CategoricalFeatureProfile>
            {
                ["plan"] = new() { Frequencies = new Dictionary<string, double> { ["basic"] = 0.6, ["premium"] = 0.4 }, Count = 1000 },
            },
        },
    };

    public static ModelVersionSpec WithNumeric(NumericFeatureProfile age) =>
        Valid() with { Profile = Valid().Profile with { Numeric = new Dictionary<string, NumericFeatureProfile> { ["age"] = age } } };
}
