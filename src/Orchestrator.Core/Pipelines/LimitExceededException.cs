namespace Orchestrator.Core.Pipelines;

/// <summary>Thrown when valid input would need more than a fixed limit allows (e.g. a fan-out planning too many steps).</summary>
/// <remarks>The gateway maps it to RESOURCE_EXHAUSTED, where a <see cref="ValidationException"/> is INVALID_ARGUMENT.</remarks>
public sealed class LimitExceededException : Exception
{
    /// <summary>Creates the exception for the field whose value drives the excess.</summary>
    public LimitExceededException(string field, string message) : base(message)
    {
        Field = field;
    }

    /// <summary>The field to change, e.g. <c>parameters.learning_rates</c>.</summary>
    public string Field { get; }
}
