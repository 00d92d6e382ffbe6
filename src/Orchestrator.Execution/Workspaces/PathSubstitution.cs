using System.Text.RegularExpressions;

namespace Orchestrator.Execution.Workspaces;

/// <summary>Replaces <c>{{inputs.NAME}}</c> and <c>{{outputs.NAME}}</c> with absolute paths; every other template was
/// resolved by the control plane and is left alone.</summary>
internal sealed partial class PathSubstitution(
    string inputsDirectory,
    string outputsDirectory,
    IReadOnlySet<string> inputs,
    IReadOnlySet<string> outputs)
{
    /// <summary>The text with paths substituted; <paramref name="field"/> names it in errors.</summary>
    public string Apply(string text, string field) => Reference().Replace(text, match =>
    {
        var kind = match.Groups["kind"].Value;
        var name = match.Groups["name"].Value;
        var (known, directory) = kind == "inputs" ? (inputs, inputsDirectory) : (outputs, outputsDirectory);
        if (!known.Contains(name))
        {
            var have = known.Count == 0 ? "none" : string.Join(", ", known.Order(StringComparer.Ordinal));
            throw new StepPreparationException(
                $"{field} refers to {{{{{kind}.{name}}}}}, but the step has no {kind[..^1]} \"{name}\" (it has: {have})", isAgentFault: false);
        }
        return Path.Combine(directory, name);
    });

    [GeneratedRegex(@"\{\{\s*(?<kind>inputs|outputs)\.(?<name>[^\s{}]+)\s*\}\}")]
    private static partial Regex Reference();
}
