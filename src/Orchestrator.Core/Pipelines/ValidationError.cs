namespace Orchestrator.Core.Pipelines;

/// <summary>One reason input was refused.</summary>
/// <param name="Field">Path of the offending field, e.g. <c>steps[3].inputs.data</c> or <c>parameters.lr</c>.</param>
/// <param name="Message">What is wrong and what to change.</param>
public sealed record ValidationError(string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>Thrown when input fails validation; carries every error found, not only the first.</summary>
public sealed class ValidationException : Exception
{
    /// <summary>Creates the exception from the errors found.</summary>
    public ValidationException(IReadOnlyList<ValidationError> errors)
        : base(string.Join("; ", errors.Select(e => e.ToString())))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception for one field.</summary>
    public ValidationException(string field, string message) : this([new ValidationError(field, message)])
    {
    }

    /// <summary>Every error found.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }
}
