namespace Orchestrator.Core.Pipelines;

/// <summary>A parsed <c>when</c> condition over parameters and upstream outputs, e.g. <c>{{steps.evaluate.outputs.auc}} >= 0.8</c>.</summary>
/// <remarks>
/// Grammar: <c>or := and ('||' and)*</c>, <c>and := not ('&amp;&amp;' not)*</c>, <c>not := '!' not | cmp</c>,
/// <c>cmp := operand (op operand)?</c> with op one of <c>== != &lt; &lt;= &gt; &gt;=</c>, and
/// <c>operand := '(' or ')' | {{reference}} | number | 'text' | "text" | true | false</c>.
/// </remarks>
public sealed class WhenExpression
{
    private readonly WhenNode root;

    private WhenExpression(string source, IReadOnlyList<Reference> references, WhenNode root)
    {
        Source = source;
        References = references;
        this.root = root;
    }

    /// <summary>The condition as written.</summary>
    public string Source { get; }

    /// <summary>Every reference the condition reads, each once, in order of first appearance.</summary>
    public IReadOnlyList<Reference> References { get; }

    /// <summary>Parses a condition; throws <see cref="FormatException"/> saying at which column what was expected.</summary>
    public static WhenExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new WhenParser(text);
        var root = parser.ParseCondition();
        return new WhenExpression(text, parser.References, root);
    }

    /// <summary>Evaluates the condition; <paramref name="resolve"/> gives each reference's value (null when it has none).</summary>
    /// <remarks>
    /// Reference values are compared with surrounding whitespace trimmed, so an output written by <c>echo</c> still
    /// equals its text. A comparison is numeric when both sides read as finite numbers, else an ordinal string
    /// comparison. A value used on its own must be true or false. Throws <see cref="FormatException"/> otherwise, or
    /// when <paramref name="resolve"/> returns null.
    /// </remarks>
    public bool Evaluate(Func<Reference, string?> resolve)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        return root.IsTrue(resolve);
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
