using System.Text.RegularExpressions;

namespace Orchestrator.Core.Pipelines;

/// <summary>The naming rules of pipelines, parameters, steps, env keys, inputs and outputs.</summary>
/// <remarks>Patterns end in \z, not $: $ would also accept a trailing newline.</remarks>
public static partial class PipelineNames
{
    /// <summary>A pipeline name: a DNS label, lowercase letters, digits and '-', 1-63 characters.</summary>
    public static bool IsPipelineName(string name) => PipelineNamePattern().IsMatch(name);

    /// <summary>A parameter name: a letter or '_' then letters, digits or '_', 1-63 characters.</summary>
    public static bool IsParameterName(string name) => ParameterNamePattern().IsMatch(name);

    /// <summary>A step name: lowercase letters, digits, '-' and '_', 1-63 characters, starting and ending with a letter or digit.</summary>
    public static bool IsStepName(string name) => StepNamePattern().IsMatch(name);

    /// <summary>An environment variable name: a letter or '_' then letters, digits or '_'.</summary>
    public static bool IsEnvName(string name) => EnvNamePattern().IsMatch(name);

    /// <summary>An input or output name: letters, digits, '_', '.' and '-', not starting with '.' or '-', 1-63 characters.</summary>
    public static bool IsArtifactName(string name) => ArtifactNamePattern().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex PipelineNamePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterNamePattern();

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex StepNamePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ArtifactNamePattern();
}
