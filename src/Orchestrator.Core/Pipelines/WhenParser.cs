namespace Orchestrator.Core.Pipelines;

/// <summary>Recursive-descent parser for <see cref="WhenExpression"/>; errors name the column (1-based) and what was expected.</summary>
internal sealed class WhenParser
{
    // Parsing and evaluation recurse once per '(' or '!': a bound keeps hostile input from overflowing the stack.
    private const int MaxNesting = 64;

    private const string OperandForms = "a {{reference}}, a number, a quoted string, true, false, '!' or '('";

    private readonly string source;
    private readonly List<Reference> references = [];
    private int position;
    private int nesting;

    public WhenParser(string source) => this.source = source;

    /// <summary>Distinct references in order of first appearance.</summary>
    public IReadOnlyList<Reference> References => references;

    public WhenNode ParseCondition()
    {
        SkipSpace();
        if (position == source.Length) throw new FormatException("condition is empty: write e.g. {{params.deploy}} == true, or leave when unset");
        var node = ParseOr();
        SkipSpace();
        if (position < source.Length)
        {
            throw Error(position, $"unexpected {Describe(position)}: expected '&&', '||' or the end of the condition");
        }

        return node;
    }

    private WhenNode ParseOr()
    {
        var operands = new List<WhenNode> { ParseAnd() };
        while (TryConsume("||")) operands.Add(ParseAnd());
        return operands.Count == 1 ? operands[0] : new WhenLogical(isAnd: false, operands);
    }

    private WhenNode ParseAnd()
    {
        var operands = new List<WhenNode> { ParseNot() };
        while (TryConsume("&&")) operands.Add(ParseNot());
        return operands.Count == 1 ? operands[0] : new WhenLogical(isAnd: true, operands);
    }

    private WhenNode ParseNot()
    {
        SkipSpace();
        if (position < source.Length && source[position] == '!' && !At("!="))
        {
            Enter(position);
            position++;
            var operand = ParseNot();
            nesting--;
            return new WhenNot(operand);
        }

        return ParseComparison();
    }

    private WhenNode ParseComparison()
    {
        var left = ParseOperand();
        var op = TryOperator();
        if (op is null) return left;
        var right = ParseOperand();
        SkipSpace();
        var start = position;
        if (TryOperator() is { } chained)
        {
            throw Error(start, $"comparisons cannot be chained ('{chained}' after '{op}'): join them with &&, e.g. a < b && b < c");
        }

        return new WhenComparison(op, left, right);
    }

    private WhenNode ParseOperand()
    {
        SkipSpace();
        if (position == source.Length) throw Error(position, $"expected {OperandForms}, got the end of the condition");
        var start = position;
        var c = source[position];
        if (c == '(')
        {
            Enter(position);
            position++;
            var inner = ParseOr();
            nesting--;
            SkipSpace();
            if (!TryConsume(")"))
            {
                var got = position == source.Length ? "the end of the condition" : Describe(position);
                throw Error(position, $"expected ')' to close the '(' at column {start + 1}, got {got}");
            }

            return inner;
        }

        if (At("{{")) return ParseReference();
        if (c is '\'' or '"') return ParseString(c);
        if (char.IsAsciiDigit(c) || ((c is '-' or '+' or '.') && position + 1 < source.Length && (char.IsAsciiDigit(source[position + 1]) || source[position + 1] == '.')))
        {
            return ParseNumber();
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            while (position < source.Length && (char.IsAsciiLetterOrDigit(source[position]) || source[position] == '_')) position++;
            var word = source[start..position];
            if (string.Equals(word, "true", StringComparison.OrdinalIgnoreCase)) return new WhenLiteral("true", word);
            if (string.Equals(word, "false", StringComparison.OrdinalIgnoreCase)) return new WhenLiteral("false", word);
            throw Error(start, $"unexpected word \"{word}\": quote text ('{word}'), or use {OperandForms}");
        }

        throw Error(start, $"expected {OperandForms}, got {Describe(start)}");
    }

    private WhenReference ParseReference()
    {
        var start = position;
        var close = source.IndexOf("}}", start + 2, StringComparison.Ordinal);
        if (close < 0) throw Error(start, "unclosed '{{': close the reference with '}}'");
        Reference reference;
        try
        {
            reference = TemplateParser.ParseReference(source[(start + 2)..close], source);
        }
        catch (FormatException e)
        {
            throw Error(start, e.Message);
        }

        position = close + 2;
        if (!references.Contains(reference)) references.Add(reference);
        return new WhenReference(reference);
    }

    private WhenLiteral ParseString(char quote)
    {
        var start = position;
        position++;
        var text = new System.Text.StringBuilder();
        while (position < source.Length && source[position] != quote)
        {
            // Only the quote and the backslash itself are escapes; any other backslash is kept, so paths read as written.
            if (source[position] == '\\' && position + 1 < source.Length && (source[position + 1] == quote || source[position + 1] == '\\'))
            {
                position++;
            }

            text.Append(source[position]);
            position++;
        }

        if (position == source.Length) throw Error(start, $"unclosed string: end it with {quote}");
        position++;
        return new WhenLiteral(text.ToString(), source[start..position]);
    }

    private WhenLiteral ParseNumber()
    {
        var start = position;
        if (source[position] is '-' or '+') position++;
        while (position < source.Length && (char.IsAsciiDigit(source[position]) || source[position] == '.')) position++;
        if (position < source.Length && source[position] is 'e' or 'E')
        {
            position++;
            if (position < source.Length && source[position] is '-' or '+') position++;
            while (position < source.Length && char.IsAsciiDigit(source[position])) position++;
        }

        var text = source[start..position];
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw Error(start, $"\"{text}\" is not a number");
        }

        if (position < source.Length && (char.IsAsciiLetter(source[position]) || source[position] == '_'))
        {
            throw Error(position, $"unexpected {Describe(position)} after the number {text}: quote text, e.g. '{text}{source[position]}'");
        }

        return new WhenLiteral(text, text);
    }

    private void Enter(int at)
    {
        if (++nesting > MaxNesting) throw Error(at, $"nested more than {MaxNesting} levels deep ('(' and '!'): simplify the condition");
    }

    private string? TryOperator()
    {
        SkipSpace();
        foreach (var op in (string[])["==", "!=", "<=", ">=", "<", ">"])
        {
            if (At(op))
            {
                position += op.Length;
                return op;
            }
        }

        if (position < source.Length && source[position] == '=')
        {
            throw Error(position, "a single '=' is not an operator: use '==' to compare");
        }

        return null;
    }

    private bool TryConsume(string token)
    {
        SkipSpace();
        if (At(token))
        {
            position += token.Length;
            return true;
        }

        if (token.Length == 2 && position < source.Length && source[position] == token[0])
        {
            throw Error(position, $"a single '{token[0]}' is not an operator: use '{token}'");
        }

        return false;
    }

    private bool At(string token) => string.CompareOrdinal(source, position, token, 0, token.Length) == 0;

    private void SkipSpace()
    {
        while (position < source.Length && char.IsWhiteSpace(source[position])) position++;
    }

    private string Describe(int at)
    {
        if (at >= source.Length) return "the end of the condition";
        var rest = source[at..];
        return rest.Length <= 12 ? $"'{rest}'" : $"'{rest[..12]}...'";
    }

    private FormatException Error(int at, string message) => new($"at column {at + 1}: {message} (in \"{TemplateParser.ForMessage(source)}\")");
}
