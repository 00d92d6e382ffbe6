using System.Text;

namespace Orchestrator.Core.Pipelines;

/// <summary>What a step's checks need to know about the rest of the pipeline, and where errors are collected.</summary>
internal sealed class PipelineScope
{
    private const int NamesInMessages = 20;

    public PipelineScope(PipelineSpec spec, IReadOnlyDictionary<string, ParameterDefinition> parameters)
    {
        Spec = spec;
        Parameters = parameters;
        for (var i = 0; i < spec.Steps.Count; i++) StepIndex.TryAdd(spec.Steps[i].Name, i);
    }

    public PipelineSpec Spec { get; }

    /// <summary>Declared parameters that passed their own checks, by name.</summary>
    public IReadOnlyDictionary<string, ParameterDefinition> Parameters { get; }

    /// <summary>Index of each regular step by name (the first one, if a name repeats).</summary>
    public Dictionary<string, int> StepIndex { get; } = new(StringComparer.Ordinal);

    public string? ExitHandlerName => Spec.ExitHandler?.Name;

    public List<ValidationError> Errors { get; } = [];

    public void Add(string field, string message) => Errors.Add(new ValidationError(field, message));

    /// <summary>Reports an over-long string and returns false; true when it fits.</summary>
    public bool CheckLength(string field, string value)
    {
        // Most strings are far below the limit; only count UTF-8 bytes when the char count cannot decide.
        if (value.Length * 3 <= PipelineLimits.MaxStringBytes) return true;
        if (value.Length <= PipelineLimits.MaxStringBytes && Encoding.UTF8.GetByteCount(value) <= PipelineLimits.MaxStringBytes) return true;
        Add(field, $"too long: more than 64 KiB ({PipelineLimits.MaxStringBytes:N0} UTF-8 bytes); pass large data as an input file instead");
        return false;
    }

    public string DescribeParameters() => Parameters.Count == 0
        ? "this pipeline declares no parameters"
        : "declared parameters: " + ListNames(Spec.Parameters.Select(p => p.Name));

    public string DescribeSteps() => "steps: " + ListNames(Spec.Steps.Select(s => s.Name));

    public static string ListNames(IEnumerable<string> names)
    {
        var all = names.Distinct(StringComparer.Ordinal).ToList();
        return all.Count <= NamesInMessages
            ? string.Join(", ", all)
            : string.Join(", ", all.Take(NamesInMessages)) + $" and {all.Count - NamesInMessages} more";
    }
}
