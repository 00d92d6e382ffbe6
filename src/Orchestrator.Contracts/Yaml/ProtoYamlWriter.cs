using System.Collections;
using System.Globalization;

using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Orchestrator.Contracts.Yaml;

/// <summary>Writes a proto message as YAML by walking its descriptor; unset fields are left out.</summary>
/// <remarks>The output reads back through <see cref="ProtoYamlReader"/> to an equal message.</remarks>
internal sealed class ProtoYamlWriter
{
    private readonly Emitter emitter;

    private ProtoYamlWriter(TextWriter output)
    {
        emitter = new Emitter(output, new EmitterSettings(2, int.MaxValue, false, 1024));
    }

    /// <summary>The message as a YAML document.</summary>
    public static string Write(IMessage message)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var writer = new ProtoYamlWriter(output);
        writer.emitter.Emit(new StreamStart());
        writer.emitter.Emit(new DocumentStart());
        writer.WriteMessage(message);
        writer.emitter.Emit(new DocumentEnd(isImplicit: true));
        writer.emitter.Emit(new StreamEnd());
        return output.ToString();
    }

    private void WriteMessage(IMessage message)
    {
        switch (message)
        {
            case Value value:
                WriteValue(value);
                return;
            case Struct entries:
                WriteStruct(entries);
                return;
            case ListValue list:
                WriteListValue(list);
                return;
            case Timestamp or Duration:
                // The JSON form ("2025-05-01T12:00:00Z", "1.5s") is the one people read and the reader accepts.
                Text(JsonFormatter.Default.Format(message).Trim('"'));
                return;
        }

        var fields = message.Descriptor.Fields.InDeclarationOrder().Where(f => IsSet(f, message)).ToList();
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, fields.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
        foreach (var field in fields)
        {
            Plain(field.Name);
            var value = field.Accessor.GetValue(message);
            if (field.IsMap) WriteMap(field, (IDictionary)value);
            else if (field.IsRepeated) WriteList(field, (IList)value);
            else WriteSingular(field, value);
        }

        emitter.Emit(new MappingEnd());
    }

    private void WriteMap(FieldDescriptor field, IDictionary map)
    {
        var valueField = field.MessageType.FindFieldByNumber(2);
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        foreach (DictionaryEntry entry in map)
        {
            Text(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!);
            WriteSingular(valueField, entry.Value!);
        }

        emitter.Emit(new MappingEnd());
    }

    private void WriteList(FieldDescriptor field, IList list)
    {
        // Short lists of scalars read best on one line: [python3, train.py]; anything with structure goes one item per line.
        var flow = field.FieldType != FieldType.Message && list.Count <= 16 && list.Cast<object>().All(i => i is not string s || !s.Contains('\n', StringComparison.Ordinal));
        emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, flow ? SequenceStyle.Flow : SequenceStyle.Block));
        foreach (var item in list) WriteSingular(field, item!);
        emitter.Emit(new SequenceEnd());
    }

    private void WriteSingular(FieldDescriptor field, object value)
    {
        switch (field.FieldType)
        {
            case FieldType.Message when ProtoNames.IsWrapper(field.MessageType):
                WriteSingular(field.MessageType.FindFieldByNumber(1), value);
                break;
            case FieldType.Message:
                WriteMessage((IMessage)value);
                break;
            case FieldType.String:
                Text((string)value);
                break;
            case FieldType.Bytes:
                Plain(((ByteString)value).ToBase64());
                break;
            case FieldType.Bool:
                Plain((bool)value ? "true" : "false");
                break;
            case FieldType.Double:
                Plain(YamlScalars.FormatDouble((double)value));
                break;
            case FieldType.Float:
                Plain(YamlScalars.FormatDouble((float)value));
                break;
            case FieldType.Enum:
                var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
                var named = field.EnumType.FindValueByNumber(number);
                Plain(named is null ? number.ToString(CultureInfo.InvariantCulture) : ProtoNames.ShortName(named));
                break;
            default:
                Plain(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
        }
    }

    private void WriteValue(Value value)
    {
        switch (value.KindCase)
        {
            case Value.KindOneofCase.StringValue:
                Text(value.StringValue);
                break;
            case Value.KindOneofCase.NumberValue:
                Plain(YamlScalars.FormatDouble(value.NumberValue));
                break;
            case Value.KindOneofCase.BoolValue:
                Plain(value.BoolValue ? "true" : "false");
                break;
            case Value.KindOneofCase.StructValue:
                WriteStruct(value.StructValue);
                break;
            case Value.KindOneofCase.ListValue:
                WriteListValue(value.ListValue);
                break;
            default:
                Plain("null");
                break;
        }
    }

    private void WriteStruct(Struct fields)
    {
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, fields.Fields.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
        foreach (var (key, item) in fields.Fields)
        {
            Text(key);
            WriteValue(item);
        }

        emitter.Emit(new MappingEnd());
    }

    private void WriteListValue(ListValue list)
    {
        var flow = list.Values.All(v => v.KindCase is not (Value.KindOneofCase.StructValue or Value.KindOneofCase.ListValue));
        emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, flow ? SequenceStyle.Flow : SequenceStyle.Block));
        foreach (var item in list.Values) WriteValue(item);
        emitter.Emit(new SequenceEnd());
    }

    /// <summary>A scalar that must read back as text: plain only when plainly safe, else quoted (the emitter escapes as needed).</summary>
    private void Text(string text)
    {
        var style = YamlScalars.LooksLikeNonText(text) ? ScalarStyle.DoubleQuoted
            : text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : YamlScalars.IsSafePlain(text) ? ScalarStyle.Plain
            : ScalarStyle.SingleQuoted;
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, style, true, true));
    }

    private void Plain(string text) => emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, false));

    private static bool IsSet(FieldDescriptor field, IMessage message)
    {
        if (field.IsRepeated) return ((ICollection)field.Accessor.GetValue(message)).Count > 0;
        if (field.HasPresence) return field.Accessor.HasValue(message);
        return field.Accessor.GetValue(message) switch
        {
            string text => text.Length > 0,
            ByteString bytes => !bytes.IsEmpty,
            bool flag => flag,
            double real => BitConverter.DoubleToInt64Bits(real) != 0,
            float single => BitConverter.SingleToInt32Bits(single) != 0,
            var other => Convert.ToInt64(other, CultureInfo.InvariantCulture) != 0 || other is ulong and not 0UL,
        };
    }
}
