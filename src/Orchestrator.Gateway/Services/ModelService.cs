using System.Globalization;
using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;
using Orchestrator.Core.Models;
using Orchestrator.Core.Models.Gates;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains;
using Orchestrator.Grains.Models;
using CoreSpec = Orchestrator.Core.Models.ModelVersionSpec;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>ModelService</c>, the model registry: maps requests to model grains.</summary>
public sealed class ModelService(IGrainFactory grains) : Contracts.V1.ModelService.ModelServiceBase
{
    /// <summary>Largest version accepted as YAML text (the binary form is bounded by the gRPC message limit).</summary>
    private const int MaxYamlBytes = 4 * 1024 * 1024;

    /// <inheritdoc />
    public override async Task<RegisterModelVersionResponse> RegisterModelVersion(RegisterModelVersionRequest request, ServerCallContext context)
    {
        var tenant = RequestRules.Tenant(request.Tenant);
        var name = ModelName(request.Name);
        var spec = request.SourceCase switch
        {
            RegisterModelVersionRequest.SourceOneofCase.Version => request.Version,
            RegisterModelVersionRequest.SourceOneofCase.VersionYaml => ParseYaml(request.VersionYaml),
            _ => throw OrchestratorException.Invalid("version", "is required: send the version as `version` (the message) or `version_yaml` (YAML text)"),
        };
        if (request.RequestId.Length > 128) throw OrchestratorException.Invalid("request_id", "is at most 128 characters");
        var reason = Reason(request.Reason);
        if (spec.Source?.RunId is { Length: > 0 } runId) RequestRules.RunId(runId, "source.run_id");

        // Checked here too, before the spec crosses to the grain: a NaN does not survive the JSON codec between silos.
        var core = Validate(ModelMapper.ToCore(spec));
        var result = await Model(tenant, name).RegisterVersionAsync(core, request.RequestId, reason, PipelineService.Caller(context));
        return new RegisterModelVersionResponse { Version = ModelMapper.ToProto(result.Version, withProfile: true), AlreadyExisted = result.AlreadyExisted };
    }

    /// <inheritdoc />
    public override async Task<Contracts.V1.Model> GetModel(GetModelRequest request, ServerCallContext context) =>
        ModelMapper.ToProto(await Model(request.Tenant, request.Name).GetAsync());

    /// <inheritdoc />
    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var tenant = request.Tenant.Length == 0 ? null : RequestRules.Tenant(request.Tenant);
        var models = await grains.GetGrain<IModelCatalogGrain>(ModelCatalogGrain.Key).ListAsync(tenant);
        var response = new ListModelsResponse();
        response.Models.AddRange(models.Select(ModelMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<Contracts.V1.ModelVersion> GetModelVersion(GetModelVersionRequest request, ServerCallContext context) =>
        ModelMapper.ToProto(await Model(request.Tenant, request.Name).GetVersionAsync(Reference(request.Version, "version")), withProfile: true);

    /// <inheritdoc />
    public override async Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context)
    {
        var model = Model(request.Tenant, request.Name);
        var pageSize = PageSize(request.PageSize);
        var before = (int)PageToken(request.PageToken);
        var filter = new ModelVersionFilter
        {
            Tags = RequestRules.Selector(request.TagSelector, "tag_selector"),
            Alias = request.Alias.Length == 0 ? null : Alias(request.Alias),
            RunId = request.RunId.Length == 0 ? null : RequestRules.RunId(request.RunId),
            Metrics = [.. request.MetricFilters.Select((text, i) => Parse(() => MetricFilter.Parse(text, $"metric_filters[{i}]")))],
        };
        var page = await model.ListVersionsAsync(filter, pageSize, before);
        var response = new ListModelVersionsResponse { NextPageToken = page.NextBefore > 0 ? Token(page.NextBefore) : "" };
        response.Versions.AddRange(page.Versions.Select(v => ModelMapper.ToProto(v, withProfile: false)));
        return response;
    }

    /// <inheritdoc />
    public override async Task<AliasChange> SetAlias(SetAliasRequest request, ServerCallContext context)
    {
        var model = Model(request.Tenant, request.Name);
        var alias = Alias(request.Alias);
        if (request.Version.Length == 0)
            throw OrchestratorException.Invalid("version", "is required: give the version the alias should point at (a number, 'latest', or another alias)");
        var change = await model.SetAliasAsync(alias, Reference(request.Version, "version"), Reason(request.Reason), PipelineService.Caller(context));
        return ToProto(change);
    }

    /// <inheritdoc />
    public override async Task<AliasChange> RemoveAlias(RemoveAliasRequest request, ServerCallContext context)
    {
        var model = Model(request.Tenant, request.Name);
        var change = await model.RemoveAliasAsync(Alias(request.Alias), Reason(request.Reason), PipelineService.Caller(context));
        return ToProto(change);
    }

    /// <inheritdoc />
    public override async Task<CompareModelVersionsResponse> CompareModelVersions(CompareModelVersionsRequest request, ServerCallContext context)
    {
        var model = Model(request.Tenant, request.Name);
        if (request.VersionA.Length == 0) throw OrchestratorException.Invalid("version_a", "is required: give a version number, 'latest', or an alias");
        if (request.VersionB.Length == 0) throw OrchestratorException.Invalid("version_b", "is required: give a version number, 'latest', or an alias");
        var result = await model.CompareAsync(Reference(request.VersionA, "version_a"), Reference(request.VersionB, "version_b"));
        return ModelMapper.ToProto(result);
    }

    /// <inheritdoc />
    public override async Task<GetAuditTrailResponse> GetAuditTrail(GetAuditTrailRequest request, ServerCallContext context)
    {
        var model = Model(request.Tenant, request.Name);
        var page = await model.GetAuditAsync(PageSize(request.PageSize), PageToken(request.PageToken));
        var response = new GetAuditTrailResponse { NextPageToken = page.NextBefore > 0 ? Token(page.NextBefore) : "" };
        response.Entries.AddRange(page.Entries.Select(ModelMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<ModelGates> SetGates(SetGatesRequest request, ServerCallContext context)
    {
        var model = Model(request.Tenant, request.Name);
        // Checked here too, before the gates cross to the grain: a NaN does not survive the JSON codec between silos.
        var gates = Parse(() => GateValidator.Validate([.. request.Gates.Select(GateMapper.ToCore)]));
        return GateMapper.ToProto(await model.SetGatesAsync(gates, Reason(request.Reason), PipelineService.Caller(context)));
    }

    /// <inheritdoc />
    public override async Task<ModelGates> GetGates(GetGatesRequest request, ServerCallContext context) =>
        GateMapper.ToProto(await Model(request.Tenant, request.Name).GetGatesAsync());

    /// <inheritdoc />
    public override async Task<Contracts.V1.GateEvaluation> EvaluateGates(EvaluateGatesRequest request, ServerCallContext context)
    {
        var model = Model(request.Tenant, request.Name);
        var evaluation = await model.EvaluateGatesAsync(Reference(request.Version, "version"), Reason(request.Reason), PipelineService.Caller(context));
        return GateMapper.ToProto(evaluation);
    }

    private IModelGrain Model(string tenant, string name) =>
        grains.GetGrain<IModelGrain>(ModelGrain.KeyOf(RequestRules.Tenant(tenant), ModelName(name)));

    /// <summary>A model name.</summary>
    internal static string ModelName(string name)
    {
        if (name.Length == 0) throw OrchestratorException.Invalid("name", "is required: give the model's name, e.g. 'churn' (see `orch models list`)");
        if (!ModelNames.IsModelName(name))
            throw OrchestratorException.Invalid("name", $"'{RequestRules.Clip(name)}' is not a model name: use 1-63 lowercase letters, digits and '-'");
        return name;
    }

    private static string Alias(string alias)
    {
        if (alias.Length == 0) throw OrchestratorException.Invalid("alias", "is required: give an alias such as 'champion'");
        if (!ModelNames.IsAlias(alias))
        {
            throw OrchestratorException.Invalid("alias",
                $"'{RequestRules.Clip(alias)}' is not an alias name: use 1-63 lowercase letters, digits and '-' (e.g. champion, challenger), not only digits and not 'latest'");
        }

        return alias;
    }

    private static string Reference(string reference, string field)
    {
        if (reference.Length > 63)
            throw OrchestratorException.Invalid(field, $"'{RequestRules.Clip(reference)}' is not a version: give a version number, 'latest', or an alias");
        return reference;
    }

    /// <summary>A reason, bounded.</summary>
    internal static string Reason(string reason) =>
        reason.Length <= ModelLimits.MaxTextLength ? reason : throw OrchestratorException.Invalid("reason", $"is {reason.Length} characters; at most {ModelLimits.MaxTextLength}");

    private static int PageSize(int pageSize) => pageSize switch
    {
        0 => 50,
        < 0 or > 1000 => throw OrchestratorException.Invalid("page_size", $"{pageSize} is out of range; use 1..1000 (0 for 50)"),
        _ => pageSize,
    };

    /// <summary>Tokens name the position to continue below (a version number or an audit sequence), so that pages
    /// stay stable while new versions and entries arrive on top.</summary>
    private static string Token(long before) => "b" + before.ToString(CultureInfo.InvariantCulture);

    private static long PageToken(string token)
    {
        if (token.Length == 0) return 0;
        if (token.StartsWith('b') && long.TryParse(token.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var before) && before is > 0 and <= int.MaxValue)
            return before;
        throw OrchestratorException.Invalid("page_token", $"'{RequestRules.Clip(token)}' is not a token this service gave; pass next_page_token as received, or leave it empty for the first page");
    }

    private static CoreSpec Validate(CoreSpec spec) => Parse(() => ModelVersionValidator.Validate(spec));

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Core.Pipelines.ValidationException e)
        {
            throw OrchestratorException.From(e);
        }
    }

    private static Contracts.V1.ModelVersionSpec ParseYaml(string yaml)
    {
        if (yaml.Length > MaxYamlBytes)
            throw new OrchestratorException(ErrorKind.ResourceExhausted, $"version_yaml: {yaml.Length} bytes is over the limit of {MaxYamlBytes} bytes", "version_yaml");
        try
        {
            return ProtoYaml.Parse<Contracts.V1.ModelVersionSpec>(yaml);
        }
        catch (PipelineYamlException e)
        {
            throw OrchestratorException.Invalid("version_yaml", e.Message);
        }
    }

    private static AliasChange ToProto(AliasChangeResult change) => new()
    {
        Alias = change.Alias, Version = change.Version, PreviousVersion = change.PreviousVersion, Changed = change.Changed,
    };
}
