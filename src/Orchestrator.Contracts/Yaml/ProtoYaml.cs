using Google.Protobuf;

namespace Orchestrator.Contracts.Yaml;

/// <summary>Any proto message as YAML, field names exactly as in the .proto (snake_case), converted by the message's descriptor.</summary>
public static class ProtoYaml
{
    /// <summary>Reads a YAML document as a <typeparamref name="T"/>.</summary>
    /// <exception cref="PipelineYamlException">With every problem found, each with its field path, line/column and the fix.</exception>
    public static T Parse<T>(string yaml)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(yaml);
        return ProtoYamlReader.Read<T>(yaml);
    }

    /// <summary>Writes a message as a YAML document, leaving unset fields out; <see cref="Parse{T}"/> reads it back equal.</summary>
    public static string ToYaml(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ProtoYamlWriter.Write(message);
    }
}
