namespace Orchestrator.Core.Pipelines;

/// <summary>A validated register step: which model, and the upstream outputs and templates its version is built from.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Artifact">The upstream output that is the model file.</param>
/// <param name="Metrics">The upstream output holding metrics as a JSON object, or null.</param>
/// <param name="Profile">The upstream output holding a baseline profile as JSON, or null.</param>
/// <param name="TrainingData">The upstream output whose digest is the training data's, or null.</param>
/// <param name="Parameters">Training parameter templates by name.</param>
/// <param name="Tags">Tag templates by key.</param>
/// <param name="Alias">The alias to point at the new version, or empty.</param>
public sealed record RegisterDefinition(
    string Model,
    Reference Artifact,
    Reference? Metrics,
    Reference? Profile,
    Reference? TrainingData,
    IReadOnlyDictionary<string, Template> Parameters,
    IReadOnlyDictionary<string, Template> Tags,
    string Alias)
{
    /// <summary>The one output of a register step: the registered version's number as text.</summary>
    public const string VersionOutput = "version";

    /// <summary>The outputs every register step declares.</summary>
    public static IReadOnlyList<string> Outputs { get; } = [VersionOutput];

    /// <summary>The upstream outputs it reads, each with the field it is written in.</summary>
    public IEnumerable<(string Field, Reference Reference)> UpstreamOutputs()
    {
        yield return ("artifact", Artifact);
        if (Metrics is not null) yield return ("metrics", Metrics);
        if (Profile is not null) yield return ("profile", Profile);
        if (TrainingData is not null) yield return ("training_data", TrainingData);
    }
}
