using Google.Protobuf;
using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains;
using Orchestrator.Grains.Pipelines;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>PipelineService</c>: maps requests to pipeline grains.</summary>
public sealed class PipelineService(IGrainFactory grains) : Contracts.V1.PipelineService.PipelineServiceBase
{
    /// <inheritdoc />
    public override async Task<CreatePipelineVersionResponse> CreatePipelineVersion(CreatePipelineVersionRequest request, ServerCallContext context)
    {
        var tenant = RequestRules.Tenant(request.Tenant);
        var spec = request.SourceCase switch
        {
            CreatePipelineVersionRequest.SourceOneofCase.Spec => request.Spec,
            CreatePipelineVersionRequest.SourceOneofCase.SpecYaml => ParseYaml(request.SpecYaml),
            _ => throw OrchestratorException.Invalid("spec", "is required: send the pipeline as `spec` (the message) or `spec_yaml` (YAML text)"),
        };
        var size = spec.CalculateSize();
        if (size > RequestRules.MaxSpecBytes)
            throw new OrchestratorException(ErrorKind.ResourceExhausted, $"spec: {size} bytes is over the limit of {RequestRules.MaxSpecBytes} bytes; split the pipeline", "spec");
        var name = RequestRules.Pipeline(spec.Name, "spec.name");

        var result = await Pipeline(tenant, name).CreateVersionAsync(SpecMapper.ToCore(spec), request.Description, Caller(context));
        return new CreatePipelineVersionResponse { Version = ToProto(result.Version), AlreadyExisted = result.AlreadyExisted };
    }

    /// <inheritdoc />
    public override async Task<Contracts.V1.PipelineVersion> GetPipeline(GetPipelineRequest request, ServerCallContext context)
    {
        var record = await Pipeline(RequestRules.Tenant(request.Tenant), RequestRules.Pipeline(request.Name, "name")).GetVersionAsync(request.Version);
        return ToProto(record);
    }

    /// <inheritdoc />
    public override async Task<ListPipelineVersionsResponse> ListPipelineVersions(ListPipelineVersionsRequest request, ServerCallContext context)
    {
        var versions = await Pipeline(RequestRules.Tenant(request.Tenant), RequestRules.Pipeline(request.Name, "name")).ListVersionsAsync();
        var response = new ListPipelineVersionsResponse();
        response.Versions.AddRange(versions.Select(ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<ListPipelinesResponse> ListPipelines(ListPipelinesRequest request, ServerCallContext context)
    {
        var tenant = request.Tenant.Length == 0 ? null : RequestRules.Tenant(request.Tenant);
        var pipelines = await grains.GetGrain<IPipelineCatalogGrain>(PipelineCatalogGrain.Key).ListAsync(tenant);
        var response = new ListPipelinesResponse();
        response.Pipelines.AddRange(pipelines.Select(p => new PipelineSummary
        {
            Tenant = p.Tenant, Name = p.Name, LatestVersion = p.LatestVersion, LatestDigest = p.LatestDigest, VersionCount = p.VersionCount,
            UpdatedAt = RunMapper.Time(p.UpdatedAt),
        }));
        return response;
    }

    /// <inheritdoc />
    public override async Task<DeletePipelineResponse> DeletePipeline(DeletePipelineRequest request, ServerCallContext context)
    {
        var deleted = await Pipeline(RequestRules.Tenant(request.Tenant), RequestRules.Pipeline(request.Name, "name")).DeleteAsync(Caller(context));
        return new DeletePipelineResponse { VersionsDeleted = deleted };
    }

    private IPipelineGrain Pipeline(string tenant, string name) => grains.GetGrain<IPipelineGrain>(PipelineGrain.KeyOf(tenant, name));

    private static Contracts.V1.PipelineSpec ParseYaml(string yaml)
    {
        if (yaml.Length > RequestRules.MaxSpecBytes)
            throw new OrchestratorException(ErrorKind.ResourceExhausted, $"spec_yaml: {yaml.Length} bytes is over the limit of {RequestRules.MaxSpecBytes} bytes", "spec_yaml");
        try
        {
            return PipelineYaml.Parse(yaml);
        }
        catch (PipelineYamlException e)
        {
            throw OrchestratorException.Invalid("spec_yaml", e.Message);
        }
    }

    private static Contracts.V1.PipelineVersion ToProto(PipelineVersionRecord v) => new()
    {
        Tenant = v.Tenant, Name = v.Name, Version = v.Version, Digest = v.Digest, Spec = SpecMapper.ToProto(v.Spec),
        CreatedAt = RunMapper.Time(v.CreatedAt), CreatedBy = v.CreatedBy, Description = v.Description,
    };

    /// <summary>Who is calling, for the audit trail: the <c>x-orch-user</c> header, else anonymous.</summary>
    internal static string Caller(ServerCallContext context) =>
        context.RequestHeaders.GetValue("x-orch-user") is { Length: > 0 and <= 128 } user ? user : "anonymous";
}
