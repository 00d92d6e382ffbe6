using System.Globalization;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Orchestrator.Core.Pipelines;

namespace Orchestrator.Gateway.Mapping;

/// <summary>Converts between protobuf <see cref="Value"/>s and the canonical text Core carries parameter values as.</summary>
public static class ValueText
{
    /// <summary>The text of a value: numbers in invariant form (integral ones without a fraction), lists as JSON.
    /// Null for an unset or null value. Throws <see cref="FormatException"/> for a struct.</summary>
    public static string? ToText(Value? value) => value?.KindCase switch
    {
        null or Value.KindOneofCase.None or Value.KindOneofCase.NullValue => null,
        Value.KindOneofCase.StringValue => value.StringValue,
        Value.KindOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        Value.KindOneofCase.NumberValue => Number(value.NumberValue),
        Value.KindOneofCase.ListValue => ListJson(value.ListValue),
        _ => throw new FormatException("an object is not a parameter value; use a string, number, bool or list"),
    };

    /// <summary>The typed value of a parameter's canonical text, for showing a spec back to users.</summary>
    public static Value FromText(ParameterType type, string text)
    {
        switch (type)
        {
            case ParameterType.Int or ParameterType.Float when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                return Value.ForNumber(d);
            case ParameterType.Bool when bool.TryParse(text, out var b):
                return Value.ForBool(b);
            case ParameterType.List:
                try
                {
                    return Value.Parser.ParseJson(text);
                }
                catch (Google.Protobuf.InvalidJsonException)
                {
                    return Value.ForString(text);
                }

            default:
                return Value.ForString(text);
        }
    }

    private static string Number(double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d)) throw new FormatException("NaN and infinity are not parameter values");
        return d == Math.Floor(d) && Math.Abs(d) < 9e15
            ? ((long)d).ToString(CultureInfo.InvariantCulture)
            : d.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string ListJson(ListValue list)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var item in list.Values)
            {
                switch (item.KindCase)
                {
                    case Value.KindOneofCase.StringValue: json.WriteStringValue(item.StringValue); break;
                    case Value.KindOneofCase.BoolValue: json.WriteBooleanValue(item.BoolValue); break;
                    case Value.KindOneofCase.NumberValue: json.WriteRawValue(Number(item.NumberValue)); break;
                    default: throw new FormatException("list items must be strings, numbers or bools");
                }
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
