using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Pipelines;

/// <summary>A register step ready to execute: the upstream outputs bound and its templates filled.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Artifact">The model file.</param>
/// <param name="Metrics">The output holding metrics as a JSON object, or null.</param>
/// <param name="Profile">The output holding a baseline profile as JSON, or null.</param>
/// <param name="TrainingData">The output whose digest is the training data's, or null.</param>
/// <param name="Parameters">Training parameters.</param>
/// <param name="Tags">Tags.</param>
/// <param name="Alias">The alias to point at the new version, or empty.</param>
public sealed record ResolvedRegistration(
    string Model,
    StepOutput Artifact,
    StepOutput? Metrics,
    StepOutput? Profile,
    StepOutput? TrainingData,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> Tags,
    string Alias);
