namespace Orchestrator.Contracts.Yaml;

/// <summary>A place in the YAML text, 1-based.</summary>
internal readonly record struct SourcePosition(int Line, int Column);

/// <summary>A node of a parsed YAML document that remembers where it was written.</summary>
internal abstract class YamlTreeNode(SourcePosition position)
{
    /// <summary>Where the node starts.</summary>
    public SourcePosition Position { get; } = position;

    /// <summary>Nodes in this subtree with aliases expanded: bounds what an alias "bomb" can make the reader walk.</summary>
    public abstract long ExpandedSize { get; }

    /// <summary>What kind of node this is, for messages ("a list", "a mapping", "'abc'").</summary>
    public abstract string Describe();
}

/// <summary>A scalar; <see cref="IsPlain"/> is false when it was quoted or tagged as a string.</summary>
internal sealed class YamlTreeScalar(SourcePosition position, string value, bool isPlain) : YamlTreeNode(position)
{
    public string Value { get; } = value;

    public bool IsPlain { get; } = isPlain;

    /// <summary>True for <c>~</c>, <c>null</c> and an empty plain value (<c>key:</c> with nothing after it).</summary>
    public bool IsNull => IsPlain && YamlScalars.IsNull(Value);

    public override long ExpandedSize => 1;

    public override string Describe() => IsNull ? "null" : $"'{Value}'";
}

/// <summary>A sequence (list).</summary>
internal sealed class YamlTreeSequence(SourcePosition position, IReadOnlyList<YamlTreeNode> items) : YamlTreeNode(position)
{
    public IReadOnlyList<YamlTreeNode> Items { get; } = items;

    public override long ExpandedSize { get; } = 1 + items.Sum(i => i.ExpandedSize);

    public override string Describe() => "a list";
}

/// <summary>A key and its value in a mapping.</summary>
internal sealed record YamlTreeEntry(YamlTreeScalar Key, YamlTreeNode Value);

/// <summary>A mapping; entries keep document order and duplicates so the reader can report them with a path.</summary>
internal sealed class YamlTreeMapping(SourcePosition position, IReadOnlyList<YamlTreeEntry> entries) : YamlTreeNode(position)
{
    /// <summary>Entries as written, duplicates included; merge keys (<c>&lt;&lt;</c>) already expanded.</summary>
    public IReadOnlyList<YamlTreeEntry> Entries { get; } = entries;

    public override long ExpandedSize { get; } = 1 + entries.Sum(e => 1 + e.Value.ExpandedSize);

    public override string Describe() => "a mapping";
}
