namespace Orchestrator.Core.Pipelines;

/// <summary>Parses template text such as <c>train --lr {{params.lr}}</c> into literal parts and references.</summary>
public static class TemplateParser
{
    /// <summary>The reference forms a template may use, for error messages.</summary>
    public const string ValidForms =
        "{{params.NAME}}, {{steps.STEP.outputs.NAME}}, {{item}}, {{inputs.NAME}}, {{outputs.NAME}}, {{run.id}}, {{run.status}}";

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the bad reference and the valid forms.</summary>
    public static Template Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<TemplatePart>();
        var literal = new System.Text.StringBuilder();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                literal.Append(text, position, text.Length - position);
                break;
            }

            // "{{{params.x}}}" reads as a literal brace around a reference, which is what JSON-like text needs.
            while (open + 2 < text.Length && text[open + 2] == '{') open++;
            literal.Append(text, position, open - position);
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException(
                    $"unclosed '{{{{' at position {open + 1} in \"{ForMessage(text)}\": close it with '}}}}' (valid forms: {ValidForms})");
            }

            if (literal.Length > 0)
            {
                parts.Add(new TemplatePart(literal.ToString(), null));
                literal.Clear();
            }

            var inner = text.Substring(open + 2, close - open - 2);
            parts.Add(new TemplatePart(text.Substring(open, close - open + 2), ParseReference(inner, text)));
            position = close + 2;
        }

        if (literal.Length > 0) parts.Add(new TemplatePart(literal.ToString(), null));
        return new Template(text, parts);
    }

    /// <summary>Parses the text between <c>{{</c> and <c>}}</c>; <paramref name="source"/> is quoted in errors.</summary>
    internal static Reference ParseReference(string inner, string source)
    {
        var body = inner.Trim();
        var reference = TryParseBody(body);
        if (reference is not null) return reference;
        throw new FormatException(
            $"unknown reference \"{{{{{ForMessage(inner)}}}}}\" in \"{ForMessage(source)}\": valid forms are {ValidForms}");
    }

    private static Reference? TryParseBody(string body)
    {
        switch (body)
        {
            case "item": return new Reference(ReferenceKind.Item, "item");
            case "run.id": return new Reference(ReferenceKind.RunId, "id");
            case "run.status": return new Reference(ReferenceKind.RunStatus, "status");
        }

        if (body.StartsWith("params.", StringComparison.Ordinal))
        {
            var name = body["params.".Length..];
            return IsIdentifier(name, allowDots: false) ? new Reference(ReferenceKind.Parameter, name) : null;
        }

        if (body.StartsWith("inputs.", StringComparison.Ordinal))
        {
            var name = body["inputs.".Length..];
            return IsIdentifier(name, allowDots: true) ? new Reference(ReferenceKind.Input, name) : null;
        }

        if (body.StartsWith("outputs.", StringComparison.Ordinal))
        {
            var name = body["outputs.".Length..];
            return IsIdentifier(name, allowDots: true) ? new Reference(ReferenceKind.Output, name) : null;
        }

        if (body.StartsWith("steps.", StringComparison.Ordinal))
        {
            // Step names have no dots, output names may ("model.pt"): split at the first ".outputs." after the step.
            var rest = body["steps.".Length..];
            var marker = rest.IndexOf(".outputs.", StringComparison.Ordinal);
            if (marker <= 0) return null;
            var step = rest[..marker];
            var output = rest[(marker + ".outputs.".Length)..];
            return IsIdentifier(step, allowDots: false) && IsIdentifier(output, allowDots: true)
                ? new Reference(ReferenceKind.StepOutput, output, step)
                : null;
        }

        return null;
    }

    // Deliberately looser than the naming rules: the validator checks the name against what is declared and says so.
    private static bool IsIdentifier(string name, bool allowDots)
    {
        if (name.Length == 0) return false;
        foreach (var c in name)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (allowDots && c == '.');
            if (!ok) return false;
        }

        return true;
    }

    /// <summary>Text as error messages quote it: control characters and unpaired surrogates escaped, long text cut.</summary>
    /// <remarks>An unpaired surrogate would make the message itself unencodable as UTF-8 (a gRPC status, a log line).</remarks>
    internal static string ForMessage(string text)
    {
        var cut = text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 117), "...");
        if (!cut.Any(c => char.IsControl(c) || char.IsSurrogate(c))) return cut;
        var escaped = new System.Text.StringBuilder(cut.Length + 8);
        for (var i = 0; i < cut.Length; i++)
        {
            var c = cut[i];
            if (char.IsHighSurrogate(c) && i + 1 < cut.Length && char.IsLowSurrogate(cut[i + 1]))
            {
                escaped.Append(c).Append(cut[++i]);
                continue;
            }

            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }
}
