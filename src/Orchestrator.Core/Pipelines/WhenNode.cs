using System.Globalization;

namespace Orchestrator.Core.Pipelines;

/// <summary>A node of a parsed condition.</summary>
internal abstract class WhenNode
{
    /// <summary>The node's truth value.</summary>
    public abstract bool IsTrue(Func<Reference, string?> resolve);

    /// <summary>The node's value as text, for comparisons.</summary>
    public abstract string Text(Func<Reference, string?> resolve);
}

/// <summary>A number, a quoted string, true or false, as written.</summary>
internal sealed class WhenLiteral(string text, string written) : WhenNode
{
    public override bool IsTrue(Func<Reference, string?> resolve) => WhenTruth.Of(text, written);

    public override string Text(Func<Reference, string?> resolve) => text;
}

/// <summary>A <c>{{...}}</c> reference.</summary>
internal sealed class WhenReference(Reference reference) : WhenNode
{
    public override bool IsTrue(Func<Reference, string?> resolve) => WhenTruth.Of(Text(resolve), reference.ToString());

    public override string Text(Func<Reference, string?> resolve) =>
        resolve(reference)?.Trim() ?? throw new FormatException($"{reference} has no value");
}

/// <summary><c>!operand</c>.</summary>
internal sealed class WhenNot(WhenNode operand) : WhenNode
{
    public override bool IsTrue(Func<Reference, string?> resolve) => !operand.IsTrue(resolve);

    public override string Text(Func<Reference, string?> resolve) => WhenTruth.Text(IsTrue(resolve));
}

/// <summary><c>a &amp;&amp; b &amp;&amp; ...</c> or <c>a || b || ...</c>, evaluated left to right with short-circuit.</summary>
internal sealed class WhenLogical(bool isAnd, IReadOnlyList<WhenNode> operands) : WhenNode
{
    public override bool IsTrue(Func<Reference, string?> resolve) =>
        isAnd ? operands.All(o => o.IsTrue(resolve)) : operands.Any(o => o.IsTrue(resolve));

    public override string Text(Func<Reference, string?> resolve) => WhenTruth.Text(IsTrue(resolve));
}

/// <summary><c>left op right</c>.</summary>
internal sealed class WhenComparison(string op, WhenNode left, WhenNode right) : WhenNode
{
    public override bool IsTrue(Func<Reference, string?> resolve)
    {
        var a = left.Text(resolve);
        var b = right.Text(resolve);
        var order = TryNumber(a, out var x) && TryNumber(b, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);
        return op switch
        {
            "==" => order == 0,
            "!=" => order != 0,
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            ">=" => order >= 0,
            _ => throw new InvalidOperationException("unknown operator " + op),
        };
    }

    public override string Text(Func<Reference, string?> resolve) => WhenTruth.Text(IsTrue(resolve));

    // double.TryParse also reads "NaN" and "Infinity"; those compare as text.
    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}

/// <summary>How values read as booleans.</summary>
internal static class WhenTruth
{
    public static bool Of(string text, string written)
    {
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)) return true;
        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase)) return false;
        throw new FormatException(
            $"{written} is \"{TemplateParser.ForMessage(text)}\", which is not true or false: compare it instead, e.g. {written} == 'yes' or {written} > 0");
    }

    public static string Text(bool value) => value ? "true" : "false";
}
