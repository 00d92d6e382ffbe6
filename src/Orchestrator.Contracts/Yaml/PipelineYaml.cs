using Orchestrator.Contracts.V1;

namespace Orchestrator.Contracts.Yaml;

/// <summary>The YAML form of a pipeline that people write: a <see cref="PipelineSpec"/> with the proto's field names.</summary>
/// <remarks>Used by <c>orch pipeline apply</c> and by the server for <c>CreatePipelineVersionRequest.spec_yaml</c>.</remarks>
public static class PipelineYaml
{
    /// <summary>Reads a pipeline spec from YAML text.</summary>
    /// <exception cref="PipelineYamlException">With every problem found, each with its field path (<c>steps[1].resources.gpus</c>), line/column and the fix.</exception>
    public static PipelineSpec Parse(string yaml) => ProtoYaml.Parse<PipelineSpec>(yaml);

    /// <summary>Writes a pipeline spec as YAML; <see cref="Parse"/> reads it back equal.</summary>
    public static string ToYaml(PipelineSpec spec) => ProtoYaml.ToYaml(spec);
}
