using System.Text;

using Google.Protobuf.Reflection;

namespace Orchestrator.Contracts.Yaml;

/// <summary>The names a YAML document uses for proto things: enum values without their type prefix, lowercase.</summary>
internal static class ProtoNames
{
    /// <summary>The value's YAML name: <c>PARAMETER_TYPE_FLOAT</c> -> <c>float</c> (the full name when there is no common prefix).</summary>
    public static string ShortName(EnumValueDescriptor value)
    {
        var prefix = Prefix(value.EnumDescriptor);
        return value.Name.StartsWith(prefix, StringComparison.Ordinal) && value.Name.Length > prefix.Length
            ? value.Name[prefix.Length..].ToLowerInvariant()
            : value.Name;
    }

    /// <summary>The YAML names a user may write, leaving out the <c>…_UNSPECIFIED</c> zero value.</summary>
    public static IReadOnlyList<string> ShortNames(EnumDescriptor type) =>
        type.Values.Where(v => !(v.Number == 0 && v.Name.EndsWith("_UNSPECIFIED", StringComparison.Ordinal))).Select(ShortName).ToList();

    /// <summary>Finds the value named by its short name or its full name, ignoring case.</summary>
    public static EnumValueDescriptor? FindValue(EnumDescriptor type, string text) =>
        type.Values.FirstOrDefault(v =>
            string.Equals(v.Name, text, StringComparison.OrdinalIgnoreCase)
            || string.Equals(ShortName(v), text, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for google.protobuf's wrapper messages (Int32Value, StringValue, …), which C# exposes as nullable scalars.</summary>
    public static bool IsWrapper(MessageDescriptor type) => type.FullName is
        "google.protobuf.DoubleValue" or "google.protobuf.FloatValue" or "google.protobuf.Int64Value"
        or "google.protobuf.UInt64Value" or "google.protobuf.Int32Value" or "google.protobuf.UInt32Value"
        or "google.protobuf.BoolValue" or "google.protobuf.StringValue" or "google.protobuf.BytesValue";

    // The proto style guide prefixes every value with the enum's name in UPPER_SNAKE_CASE (ParameterType -> PARAMETER_TYPE_).
    private static string Prefix(EnumDescriptor type)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < type.Name.Length; i++)
        {
            var c = type.Name[i];
            if (i > 0 && char.IsUpper(c) && !char.IsUpper(type.Name[i - 1])) builder.Append('_');
            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.Append('_').ToString();
    }
}
