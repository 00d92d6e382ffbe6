namespace Orchestrator.Contracts.Yaml;

/// <summary>One problem found in a YAML document: where it is (field path and line/column) and what to do about it.</summary>
/// <param name="Path">Field path in the form the server uses, e.g. <c>steps[1].resources.gpus</c>; empty for the document itself.</param>
/// <param name="Line">1-based line of the offending node.</param>
/// <param name="Column">1-based column of the offending node.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record PipelineYamlError(string Path, int Line, int Column, string Message)
{
    /// <summary>The error as one line: <c>line 5, column 14: steps[1].resources.gpus: expected …</c>.</summary>
    public override string ToString() =>
        Path.Length == 0 ? $"line {Line}, column {Column}: {Message}" : $"line {Line}, column {Column}: {Path}: {Message}";
}

/// <summary>Thrown when YAML cannot be read as the expected message; carries every problem found, in document order.</summary>
public sealed class PipelineYamlException : Exception
{
    /// <summary>Creates the exception from the problems found (at least one).</summary>
    public PipelineYamlException(IReadOnlyList<PipelineYamlError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for a single problem.</summary>
    public PipelineYamlException(PipelineYamlError error)
        : this([error])
    {
    }

    /// <summary>Every problem found, in document order.</summary>
    public IReadOnlyList<PipelineYamlError> Errors { get; }

    /// <summary>Field path of the first problem.</summary>
    public string Path => Errors[0].Path;

    /// <summary>1-based line of the first problem.</summary>
    public int Line => Errors[0].Line;

    /// <summary>1-based column of the first problem.</summary>
    public int Column => Errors[0].Column;

    private static string Describe(IReadOnlyList<PipelineYamlError> errors)
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        return errors.Count == 1
            ? errors[0].ToString()
            : $"{errors.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
    }
}
