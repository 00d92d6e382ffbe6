using Google.Protobuf;

using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli;

/// <summary>Writes proto messages as JSON (original field names, as <c>JsonParser</c> reads back) or YAML.</summary>
internal static class ProtoOutput
{
    private static readonly JsonFormatter Indented = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithIndentation("  "));
    private static readonly JsonFormatter Compact = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    /// <summary>The message as indented JSON: the one document a command prints.</summary>
    public static string Json(IMessage message) => Indented.Format(message);

    /// <summary>The message as JSON on one line: one line per item of a stream.</summary>
    public static string JsonLine(IMessage message) => Compact.Format(message);

    /// <summary>Writes the message in <paramref name="format"/> (JSON or YAML) to <paramref name="output"/>.</summary>
    public static void Write(TextWriter output, IMessage message, OutputFormat format)
    {
        if (format == OutputFormat.Yaml) output.Write(ProtoYaml.ToYaml(message));
        else output.WriteLine(Json(message));
    }
}
