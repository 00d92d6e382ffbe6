using System.Collections;
using System.Globalization;
using System.Text.Json;

using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Orchestrator.Contracts.Yaml;

/// <summary>Fills a proto message from a YAML tree by walking the message's descriptor, collecting every problem found.</summary>
/// <remarks>Nothing here names a field of ours: new proto fields are read without a change.</remarks>
internal sealed class ProtoYamlReader
{
    private readonly List<PipelineYamlError> errors = [];

    /// <summary>Reads <paramref name="yaml"/> as a <typeparamref name="T"/>.</summary>
    /// <exception cref="PipelineYamlException">With every problem found, each with its field path and line/column.</exception>
    public static T Read<T>(string yaml)
        where T : IMessage<T>, new()
    {
        var message = new T();
        var root = YamlTreeReader.Read(yaml)
            ?? throw new PipelineYamlException(new PipelineYamlError("", 1, 1,
                $"the document is empty; write a mapping with the fields of a {message.Descriptor.Name}: {FieldList(message.Descriptor)}"));
        var reader = new ProtoYamlReader();
        reader.ReadMessage(message, root, "");
        return reader.errors.Count > 0 ? throw new PipelineYamlException(reader.errors) : message;
    }

    private void ReadMessage(IMessage message, YamlTreeNode node, string path)
    {
        var descriptor = message.Descriptor;
        if (node is not YamlTreeMapping mapping)
        {
            Fail(path, node, $"expected a mapping with the fields of a {descriptor.Name} ({FieldList(descriptor)}), got {node.Describe()}");
            return;
        }

        var firstKeys = new Dictionary<string, YamlTreeScalar>(StringComparer.Ordinal);
        var oneofsSet = new Dictionary<OneofDescriptor, string>();
        foreach (var (key, value) in mapping.Entries)
        {
            var fieldPath = Join(path, key.Value);
            if (!firstKeys.TryAdd(key.Value, key))
            {
                Fail(fieldPath, key, $"duplicate key '{key.Value}' (first at line {firstKeys[key.Value].Position.Line}); remove one of them");
                continue;
            }

            var field = descriptor.FindFieldByName(key.Value);
            if (field is null)
            {
                Fail(fieldPath, key, UnknownField(descriptor, key.Value));
                continue;
            }

            // `field:` with nothing after it reads as "not set", as if the line were not there;
            // except for a google.protobuf.Value, where null is a value of its own.
            if (value is YamlTreeScalar { IsNull: true } && !IsValueField(field)) continue;

            if (field.RealContainingOneof is { } oneof && !oneofsSet.TryAdd(oneof, field.Name))
            {
                Fail(fieldPath, key, $"'{field.Name}' and '{oneofsSet[oneof]}' cannot both be set; keep one of them");
                continue;
            }

            if (field.IsMap) ReadMap(message, field, value, fieldPath);
            else if (field.IsRepeated) ReadList(message, field, value, fieldPath);
            else if (ReadSingular(field, value, fieldPath) is { } single) field.Accessor.SetValue(message, single);
        }
    }

    private void ReadList(IMessage message, FieldDescriptor field, YamlTreeNode node, string path)
    {
        if (node is not YamlTreeSequence sequence)
        {
            Fail(path, node, node switch
            {
                YamlTreeMapping => "expected a list, got a mapping; write each item on its own line starting with '- '",
                _ when field.FieldType == FieldType.Message =>
                    $"expected a list of mappings, got {node.Describe()}; write each item on its own line starting with '- ' (e.g. '- name: …')",
                YamlTreeScalar scalar when field.FieldType == FieldType.String && scalar.Value.Contains(' ', StringComparison.Ordinal) =>
                    $"expected a list (one item per element), got {scalar.Describe()}; write it as [{string.Join(", ", scalar.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))}]",
                _ => $"expected a list, got {node.Describe()}; write it as [{(node as YamlTreeScalar)?.Value}] or put each item on its own line starting with '- '",
            });
            return;
        }

        var list = (IList)field.Accessor.GetValue(message);
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            if (ReadSingular(field, sequence.Items[i], $"{path}[{i}]") is { } item) list.Add(item);
        }
    }

    private void ReadMap(IMessage message, FieldDescriptor field, YamlTreeNode node, string path)
    {
        if (node is not YamlTreeMapping mapping)
        {
            Fail(path, node, $"expected a mapping of 'key: value' lines, got {node.Describe()}");
            return;
        }

        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        var map = (IDictionary)field.Accessor.GetValue(message);
        var firstKeys = new Dictionary<string, YamlTreeScalar>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            var entryPath = Join(path, key.Value);
            if (!firstKeys.TryAdd(key.Value, key))
            {
                Fail(entryPath, key, $"duplicate key '{key.Value}' (first at line {firstKeys[key.Value].Position.Line}); remove one of them");
                continue;
            }

            var mapKey = ReadScalar(keyField, key, entryPath);
            var mapValue = value is YamlTreeScalar { IsNull: true } && valueField.FieldType == FieldType.String
                ? ""
                : ReadSingular(valueField, value, entryPath);
            if (mapKey is not null && mapValue is not null) map[mapKey] = mapValue;
        }
    }

    private object? ReadSingular(FieldDescriptor field, YamlTreeNode node, string path)
    {
        if (field.FieldType != FieldType.Message) return ReadScalar(field, node, path);
        var type = field.MessageType;
        if (ProtoNames.IsWrapper(type)) return ReadScalar(type.FindFieldByNumber(1), node, path);
        return type.FullName switch
        {
            "google.protobuf.Value" => ReadValue(node, path),
            "google.protobuf.Struct" => ReadStruct(node, path),
            "google.protobuf.ListValue" => ReadListValue(node, path),
            "google.protobuf.Timestamp" => ReadJsonString(type, node, path, "a time like 2025-05-01T12:00:00Z"),
            "google.protobuf.Duration" => ReadJsonString(type, node, path, "a duration in seconds like 90s or 1.5s"),
            _ => ReadNested(type, node, path),
        };
    }

    private IMessage ReadNested(MessageDescriptor type, YamlTreeNode node, string path)
    {
        var nested = (IMessage)Activator.CreateInstance(type.ClrType)!;
        ReadMessage(nested, node, path);
        return nested;
    }

    private object? ReadScalar(FieldDescriptor field, YamlTreeNode node, string path)
    {
        if (node is not YamlTreeScalar scalar || scalar.IsNull)
        {
            return Fail(path, node, $"expected {Expected(field)}, got {node.Describe()}");
        }

        var text = scalar.Value;
        const NumberStyles Integer = NumberStyles.AllowLeadingSign;
        var culture = CultureInfo.InvariantCulture;
        switch (field.FieldType)
        {
            case FieldType.String:
                return text;
            case FieldType.Bool:
                return YamlScalars.TryParseBool(text, out var flag) ? flag : Fail(path, node, $"expected true or false, got '{text}'");
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                return int.TryParse(text, Integer, culture, out var i32) ? i32 : FailInteger(path, node, text, int.MinValue, int.MaxValue);
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                return long.TryParse(text, Integer, culture, out var i64) ? i64 : FailInteger(path, node, text, long.MinValue, long.MaxValue);
            case FieldType.UInt32 or FieldType.Fixed32:
                return uint.TryParse(text, Integer, culture, out var u32) ? u32 : FailInteger(path, node, text, uint.MinValue, uint.MaxValue);
            case FieldType.UInt64 or FieldType.Fixed64:
                return ulong.TryParse(text, Integer, culture, out var u64) ? u64 : FailInteger(path, node, text, ulong.MinValue, ulong.MaxValue);
            case FieldType.Double:
                return YamlScalars.TryParseNumber(text, out var real) ? real : Fail(path, node, $"expected a number (e.g. 0.5 or 1e-3), got '{text}'");
            case FieldType.Float:
                return YamlScalars.TryParseNumber(text, out var single) ? (float)single : Fail(path, node, $"expected a number (e.g. 0.5 or 1e-3), got '{text}'");
            case FieldType.Bytes:
                try
                {
                    return ByteString.FromBase64(text);
                }
                catch (FormatException)
                {
                    return Fail(path, node, $"expected base64 text, got '{text}'");
                }

            case FieldType.Enum:
                if (ProtoNames.FindValue(field.EnumType, text) is { } named) return System.Enum.ToObject(field.EnumType.ClrType, named.Number);
                if (int.TryParse(text, Integer, culture, out var number) && field.EnumType.FindValueByNumber(number) is not null)
                {
                    return System.Enum.ToObject(field.EnumType.ClrType, number);
                }

                var names = ProtoNames.ShortNames(field.EnumType);
                var guess = NameSuggestions.Closest(text, names);
                return Fail(path, node, $"unknown value '{text}'; {(guess is null ? "" : $"did you mean '{guess}'? ")}use one of: {string.Join(", ", names)}");
            default:
                return Fail(path, node, $"fields of type {field.FieldType} cannot be written in YAML");
        }
    }

    private Value? ReadValue(YamlTreeNode node, string path)
    {
        switch (node)
        {
            case YamlTreeScalar { IsPlain: false } text:
                return Value.ForString(text.Value);
            case YamlTreeScalar { IsNull: true }:
                return Value.ForNull();
            case YamlTreeScalar scalar when YamlScalars.TryParseBool(scalar.Value, out var flag):
                return Value.ForBool(flag);
            case YamlTreeScalar scalar when YamlScalars.TryParseNumber(scalar.Value, out var number):
                return double.IsFinite(number)
                    ? Value.ForNumber(number)
                    : Fail<Value>(path, node, $"'{scalar.Value}' is not a finite number; quote it (\"{scalar.Value}\") to pass it as text");
            case YamlTreeScalar scalar:
                return Value.ForString(scalar.Value);
            case YamlTreeSequence:
                return ReadListValue(node, path) is { } list ? Value.ForList([.. list.Values]) : null;
            default:
                return ReadStruct(node, path) is { } fields ? Value.ForStruct(fields) : null;
        }
    }

    private ListValue? ReadListValue(YamlTreeNode node, string path)
    {
        if (node is not YamlTreeSequence sequence) return Fail<ListValue>(path, node, $"expected a list, got {node.Describe()}");
        var list = new ListValue();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            if (ReadValue(sequence.Items[i], $"{path}[{i}]") is { } item) list.Values.Add(item);
        }

        return list;
    }

    private Struct? ReadStruct(YamlTreeNode node, string path)
    {
        if (node is not YamlTreeMapping mapping) return Fail<Struct>(path, node, $"expected a mapping, got {node.Describe()}");
        var fields = new Struct();
        foreach (var (key, value) in mapping.Entries)
        {
            var entryPath = Join(path, key.Value);
            if (key.Value.Length == 0)
            {
                Fail(entryPath, key, "a key may not be empty; give it a name");
            }
            else if (fields.Fields.ContainsKey(key.Value))
            {
                Fail(entryPath, key, $"duplicate key '{key.Value}'; remove one of them");
            }
            else if (ReadValue(value, entryPath) is { } item)
            {
                fields.Fields[key.Value] = item;
            }
        }

        return fields;
    }

    private IMessage? ReadJsonString(MessageDescriptor type, YamlTreeNode node, string path, string expected)
    {
        if (node is not YamlTreeScalar { IsNull: false } scalar) return Fail<IMessage>(path, node, $"expected {expected}, got {node.Describe()}");
        try
        {
            return JsonParser.Default.Parse(JsonSerializer.Serialize(scalar.Value), type);
        }
        catch (InvalidProtocolBufferException)
        {
            return Fail<IMessage>(path, node, $"expected {expected}, got '{scalar.Value}'");
        }
    }

    private object? FailInteger<TNumber>(string path, YamlTreeNode node, string text, TNumber min, TNumber max) =>
        Fail(path, node, YamlScalars.TryParseNumber(text, out _)
            ? $"expected a whole number from {min} to {max}, got '{text}'"
            : $"expected a whole number, got '{text}'");

    private static string Expected(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "text",
        FieldType.Bool => "true or false",
        FieldType.Double or FieldType.Float => "a number",
        FieldType.Bytes => "base64 text",
        FieldType.Enum => $"one of: {string.Join(", ", ProtoNames.ShortNames(field.EnumType))}",
        FieldType.Message => "a mapping",
        _ => "a whole number",
    };

    private static string UnknownField(MessageDescriptor descriptor, string name)
    {
        var names = descriptor.Fields.InDeclarationOrder().Select(f => f.Name).ToList();
        var guess = descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name)?.Name
            ?? NameSuggestions.Closest(name, names);
        var hint = guess is null ? "" : $"did you mean '{guess}'? ";
        return $"unknown field '{name}' in a {descriptor.Name}; {hint}valid fields: {string.Join(", ", names)}";
    }

    private static bool IsValueField(FieldDescriptor field) =>
        !field.IsRepeated && field.FieldType == FieldType.Message && field.MessageType.FullName == "google.protobuf.Value";

    private static string FieldList(MessageDescriptor descriptor) =>
        string.Join(", ", descriptor.Fields.InDeclarationOrder().Select(f => f.Name));

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private TResult? Fail<TResult>(string path, YamlTreeNode node, string message)
        where TResult : class
    {
        errors.Add(new PipelineYamlError(path, node.Position.Line, node.Position.Column, message));
        return null;
    }

    private object? Fail(string path, YamlTreeNode node, string message) => Fail<object>(path, node, message);
}
