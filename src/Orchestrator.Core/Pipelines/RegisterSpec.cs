namespace Orchestrator.Core.Pipelines;

/// <summary>A <c>register</c> step as written: the control plane registers a model version from upstream outputs
/// instead of running a process.</summary>
public sealed record RegisterSpec
{
    /// <summary>The model to register a version of.</summary>
    public string Model { get; init; } = "";

    /// <summary>The model file: exactly one upstream output, <c>{{steps.STEP.outputs.NAME}}</c>.</summary>
    public string Artifact { get; init; } = "";

    /// <summary>An upstream output holding a JSON object of metrics by name; empty for none.</summary>
    public string Metrics { get; init; } = "";

    /// <summary>An upstream output holding a baseline profile as JSON; empty for none.</summary>
    public string Profile { get; init; } = "";

    /// <summary>Training parameters: templates over parameters and <c>{{run.id}}</c>.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Tags: templates over parameters and <c>{{run.id}}</c>.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>An upstream output whose digest is the training data's; empty for none.</summary>
    public string TrainingData { get; init; } = "";

    /// <summary>An alias to point at the new version; empty for none.</summary>
    public string Alias { get; init; } = "";
}
