using System.Text.RegularExpressions;

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Orchestrator.Contracts.Yaml;

/// <summary>Reads YAML text into a <see cref="YamlTreeNode"/> tree with positions, from YamlDotNet's parser events.</summary>
/// <remarks>
/// Our own tree rather than YamlDotNet's representation model: that model throws on a duplicate key before we know
/// the field path, and we want the path in the message. Aliases are resolved and merge keys (<c>&lt;&lt;</c>) expanded here.
/// </remarks>
internal static partial class YamlTreeReader
{
    /// <summary>Deeper nesting than this is refused so that hostile input cannot exhaust the stack.</summary>
    public const int MaxDepth = 100;

    /// <summary>Larger documents (counting alias expansions) are refused so that an alias "bomb" cannot exhaust memory.</summary>
    public const long MaxExpandedNodes = 1_000_000;

    private const string StringTag = "tag:yaml.org,2002:str";

    /// <summary>Parses one YAML document; null when the text holds no document at all.</summary>
    /// <exception cref="PipelineYamlException">On a syntax error, more than one document, or a structure we do not accept.</exception>
    public static YamlTreeNode? Read(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchors = new Dictionary<string, YamlTreeNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, anchors, depth: 0);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                throw Error(second.Start, "the text holds more than one YAML document (a second '---'); put one document in a file");
            }

            parser.Consume<StreamEnd>();
            return root is YamlTreeScalar { IsNull: true } ? null : root;
        }
        catch (YamlException e)
        {
            throw Error(e.Start, $"YAML syntax error: {WithoutMarks(e.Message)}; check the indentation and quoting around here");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) when the text ends inside an unclosed flow collection.
            var last = parser.Current?.End;
            throw Error(last is null ? new SourcePosition(1, 1) : At(last.Value),
                "YAML syntax error: the text ends inside an unclosed '[' or '{'; close it or check the indentation and quoting around here");
        }
    }

    private static YamlTreeNode ReadNode(Parser parser, Dictionary<string, YamlTreeNode> anchors, int depth)
    {
        if (depth > MaxDepth) throw Error(parser.Current!.Start, $"the document nests deeper than {MaxDepth} levels");
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw Error(alias.Start, $"unknown alias '*{alias.Value.Value}': define the anchor '&{alias.Value.Value}' before using it");
        }

        YamlTreeNode node;
        AnchorName anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor;
            // A quoted scalar, a block scalar, '!!str x' and '! x' are text whatever they look like.
            var taggedAsText = !scalar.Tag.IsEmpty && scalar.Tag.Value is StringTag or "!";
            var plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && !taggedAsText;
            node = new YamlTreeScalar(At(scalar.Start), scalar.Value, plain);
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            anchor = sequenceStart.Anchor;
            var items = new List<YamlTreeNode>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, anchors, depth + 1));
            node = new YamlTreeSequence(At(sequenceStart.Start), items);
        }
        else if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            anchor = mappingStart.Anchor;
            node = ReadMapping(parser, anchors, mappingStart, depth);
        }
        else
        {
            throw Error(parser.Current!.Start, $"unexpected YAML element {parser.Current.GetType().Name}");
        }

        if (node.ExpandedSize > MaxExpandedNodes)
        {
            throw Error(node.Position, $"the document expands to more than {MaxExpandedNodes:N0} nodes (through aliases); write it out plainly");
        }

        if (!anchor.IsEmpty) anchors[anchor.Value] = node;
        return node;
    }

    private static YamlTreeMapping ReadMapping(Parser parser, Dictionary<string, YamlTreeNode> anchors, MappingStart start, int depth)
    {
        var entries = new List<YamlTreeEntry>();
        var merged = new List<YamlTreeEntry>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, anchors, depth + 1);
            if (keyNode is not YamlTreeScalar key)
            {
                throw Error(keyNode.Position, $"a mapping key must be a plain name, not {keyNode.Describe()}");
            }

            var value = ReadNode(parser, anchors, depth + 1);
            if (key is { IsPlain: true, Value: "<<" })
            {
                merged.AddRange(MergeSources(value).SelectMany(m => m.Entries));
            }
            else
            {
                entries.Add(new YamlTreeEntry(key, value));
            }
        }

        // Merge keys: explicit entries win, then earlier merge sources win over later ones (YAML merge key semantics).
        var present = new HashSet<string>(entries.Select(e => e.Key.Value), StringComparer.Ordinal);
        foreach (var entry in merged)
        {
            if (present.Add(entry.Key.Value)) entries.Add(entry);
        }

        return new YamlTreeMapping(At(start.Start), entries);
    }

    private static IEnumerable<YamlTreeMapping> MergeSources(YamlTreeNode value) => value switch
    {
        YamlTreeMapping mapping => [mapping],
        YamlTreeSequence sequence when sequence.Items.All(i => i is YamlTreeMapping) => sequence.Items.Cast<YamlTreeMapping>(),
        _ => throw Error(value.Position, $"a merge key '<<' needs a mapping or a list of mappings (e.g. '<<: *defaults'), not {value.Describe()}"),
    };

    private static SourcePosition At(Mark mark) => new((int)mark.Line, (int)mark.Column);

    private static PipelineYamlException Error(Mark mark, string message) => Error(At(mark), message);

    private static PipelineYamlException Error(SourcePosition position, string message) =>
        new(new PipelineYamlError("", position.Line, position.Column, message));

    private static string WithoutMarks(string message) => MarkPrefix().Replace(message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();
}
