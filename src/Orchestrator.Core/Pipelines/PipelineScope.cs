using System.Text;

namespace Orchestrator.Core.Pipelines;

/// <summary>What a step's checks need to know about the rest of the pipeline, and where errors are collected.</summary>
internal sealed class PipelineScope
{
    private const int NamesInMessages = 20;

    public PipelineScope(PipelineSpec spec)
    {
        Spec = spec;
        for (var i = 0; i < spec.Steps.Count; i++) StepIndex.TryAdd(spec.Steps[i].Name, i);
    }

    private string? describedParameters;
    private string? describedSteps;

    public PipelineSpec Spec { get; }

    /// <summary>Declared parameters that passed their own checks, by name (set once parameters are checked).</summary>
    public IReadOnlyDictionary<string, ParameterDefinition> Parameters { get; set; } = new Dictionary<string, ParameterDefinition>();

    /// <summary>Index of each regular step by name (the first one, if a name repeats).</summary>
    public Dictionary<string, int> StepIndex { get; } = new(StringComparer.Ordinal);

    public string? ExitHandlerName => Spec.ExitHandler?.Name;

    public List<ValidationError> Errors { get; } = [];

    public void Add(string field, string message) => Errors.Add(new ValidationError(field, message));

    /// <summary>Reports an over-long string or one that is not valid Unicode, and returns false; true when it is fine.</summary>
    public bool CheckText(string field, string value)
    {
        if (value.Length > PipelineLimits.MaxStringBytes
            || (value.Length * 3 > PipelineLimits.MaxStringBytes && Encoding.UTF8.GetByteCount(value) > PipelineLimits.MaxStringBytes))
        {
            Add(field, $"too long: more than 64 KiB ({PipelineLimits.MaxStringBytes:N0} UTF-8 bytes); pass large data as an input file instead");
            return false;
        }

        // Half of a surrogate pair cannot be encoded as UTF-8: it would be garbled on the way to the agent.
        if (value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') && !IsWellFormed(value))
        {
            Add(field, $"\"{TemplateParser.ForMessage(value)}\" is not valid Unicode text (it contains half of a surrogate pair)");
            return false;
        }

        return true;
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }

        return true;
    }

    // Described once: a spec with thousands of bad references would otherwise list every name thousands of times.
    public string DescribeParameters() => describedParameters ??= Parameters.Count == 0
        ? "this pipeline declares no parameters"
        : "declared parameters: " + ListNames(Spec.Parameters.Select(p => p.Name));

    public string DescribeSteps() => describedSteps ??= "steps: " + ListNames(Spec.Steps.Select(s => s.Name));

    public static string ListNames(IEnumerable<string> names)
    {
        var all = names.Distinct(StringComparer.Ordinal).ToList();
        return all.Count <= NamesInMessages
            ? string.Join(", ", all)
            : string.Join(", ", all.Take(NamesInMessages)) + $" and {all.Count - NamesInMessages} more";
    }
}
