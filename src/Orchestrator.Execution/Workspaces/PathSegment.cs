using System.Text;

namespace Orchestrator.Execution.Workspaces;

/// <summary>Checks that names from an assignment (run id, step key, input and output names) are safe as one path segment.</summary>
public static class PathSegment
{
    private const int MaxBytes = 255;

    /// <summary>Null when <paramref name="value"/> is usable as a file name, else why not.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "it is empty";
        if (value is "." or "..") return $"\"{value}\" refers to a directory, not a name";
        if (value.Contains('/')) return "it contains \"/\"";
        if (value.Contains('\0')) return "it contains a NUL character";
        if (Encoding.UTF8.GetByteCount(value) > MaxBytes) return $"it is longer than {MaxBytes} bytes";
        return null;
    }

    /// <summary>Returns <paramref name="value"/>, or throws a <see cref="StepPreparationException"/> naming <paramref name="field"/>.</summary>
    public static string Ensure(string? value, string field) =>
        Problem(value) is { } problem
            ? throw new StepPreparationException($"{field} \"{value}\" cannot be used as a file name: {problem}", isAgentFault: false)
            : value!;
}
