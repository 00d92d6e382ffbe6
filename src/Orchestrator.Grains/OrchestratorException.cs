namespace Orchestrator.Grains;

/// <summary>The kinds of error a caller can cause; each maps to one gRPC status.</summary>
public enum ErrorKind
{
    /// <summary>INVALID_ARGUMENT</summary>
    InvalidArgument = 1,
    /// <summary>NOT_FOUND</summary>
    NotFound,
    /// <summary>ALREADY_EXISTS</summary>
    AlreadyExists,
    /// <summary>FAILED_PRECONDITION</summary>
    FailedPrecondition,
    /// <summary>RESOURCE_EXHAUSTED</summary>
    ResourceExhausted,
}

/// <summary>An error the caller caused, thrown by grains and turned into a gRPC status by the gateway.</summary>
[GenerateSerializer]
[Alias("orch.error")]
public sealed class OrchestratorException : Exception
{
    /// <summary>Creates an error.</summary>
    public OrchestratorException(ErrorKind kind, string message, string? field = null, IReadOnlyList<FieldError>? fields = null)
        : base(message)
    {
        Kind = kind;
        Field = field;
        Fields = fields ?? (field is null ? [] : [new FieldError(field, message)]);
    }

    /// <summary>Which status.</summary>
    [Id(0)] public ErrorKind Kind { get; }

    /// <summary>The offending field's path, or null.</summary>
    [Id(1)] public string? Field { get; }

    /// <summary>Every offending field with its reason (validation reports them all).</summary>
    [Id(2)] public IReadOnlyList<FieldError> Fields { get; }

    /// <summary>NOT_FOUND with a message.</summary>
    public static OrchestratorException NotFound(string message) => new(ErrorKind.NotFound, message);

    /// <summary>FAILED_PRECONDITION with a message.</summary>
    public static OrchestratorException Precondition(string message) => new(ErrorKind.FailedPrecondition, message);

    /// <summary>INVALID_ARGUMENT with every field Core's validation found.</summary>
    public static OrchestratorException From(Core.Pipelines.ValidationException e) =>
        new(ErrorKind.InvalidArgument, e.Message, e.Errors[0].Field, [.. e.Errors.Select(x => new FieldError(x.Field, x.Message))]);

    /// <summary>INVALID_ARGUMENT for one field.</summary>
    public static OrchestratorException Invalid(string field, string message) => new(ErrorKind.InvalidArgument, $"{field}: {message}", field);
}

/// <summary>One invalid field and why.</summary>
[GenerateSerializer]
[Alias("orch.field-error")]
public sealed record FieldError([property: Id(0)] string Field, [property: Id(1)] string Message);
