namespace Orchestrator.Core.Pipelines;

/// <summary>A parsed <c>when</c> condition over parameters and upstream outputs.</summary>
/// <remarks>SKELETON: the parser and evaluator are being written (helper A); the API is fixed.</remarks>
public sealed class WhenExpression
{
    private WhenExpression(string source, IReadOnlyList<Reference> references)
    {
        Source = source;
        References = references;
    }

    /// <summary>The condition as written.</summary>
    public string Source { get; }

    /// <summary>Every reference the condition reads.</summary>
    public IReadOnlyList<Reference> References { get; }

    /// <summary>Parses a condition; throws <see cref="FormatException"/> with a message saying what is wrong.</summary>
    public static WhenExpression Parse(string text) => throw new NotImplementedException(text);

    /// <summary>Evaluates the condition; <paramref name="resolve"/> gives each reference's value.</summary>
    public bool Evaluate(Func<Reference, string?> resolve) => throw new NotImplementedException(Source + resolve);
}
