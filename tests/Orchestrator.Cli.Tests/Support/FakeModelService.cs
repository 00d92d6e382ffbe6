using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>ModelService answering from the <see cref="FakeBackend"/>, noting who called.</summary>
internal sealed class FakeModelService(FakeBackend backend) : ModelService.ModelServiceBase
{
    public override Task<RegisterModelVersionResponse> RegisterModelVersion(RegisterModelVersionRequest request, ServerCallContext context) =>
        Answer(context, () => backend.RegisterModelVersion(backend.Record(request)));

    public override Task<Model> GetModel(GetModelRequest request, ServerCallContext context) => Answer(context, () => backend.GetModel(backend.Record(request)));

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context) =>
        Answer(context, () => backend.ListModels(backend.Record(request)));

    public override Task<ModelVersion> GetModelVersion(GetModelVersionRequest request, ServerCallContext context) =>
        Answer(context, () => backend.GetModelVersion(backend.Record(request)));

    public override Task<ListModelVersionsResponse> ListModelVersions(ListModelVersionsRequest request, ServerCallContext context) =>
        Answer(context, () => backend.ListModelVersions(backend.Record(request)));

    public override Task<AliasChange> SetAlias(SetAliasRequest request, ServerCallContext context) => Answer(context, () => backend.SetAlias(backend.Record(request)));

    public override Task<AliasChange> RemoveAlias(RemoveAliasRequest request, ServerCallContext context) =>
        Answer(context, () => backend.RemoveAlias(backend.Record(request)));

    public override Task<CompareModelVersionsResponse> CompareModelVersions(CompareModelVersionsRequest request, ServerCallContext context) =>
        Answer(context, () => backend.CompareModelVersions(backend.Record(request)));

    public override Task<GetAuditTrailResponse> GetAuditTrail(GetAuditTrailRequest request, ServerCallContext context) =>
        Answer(context, () => backend.GetAuditTrail(backend.Record(request)));

    public override Task<ModelGates> SetGates(SetGatesRequest request, ServerCallContext context) => Answer(context, () => backend.SetGates(backend.Record(request)));

    public override Task<ModelGates> GetGates(GetGatesRequest request, ServerCallContext context) => Answer(context, () => backend.GetGates(backend.Record(request)));

    public override Task<GateEvaluation> EvaluateGates(EvaluateGatesRequest request, ServerCallContext context) =>
        Answer(context, () => backend.EvaluateGates(backend.Record(request)));

    private Task<T> Answer<T>(ServerCallContext context, Func<T> answer)
    {
        backend.ModelCallers.Enqueue(context.RequestHeaders.GetValue("x-orch-user") ?? "");
        return Task.FromResult(answer());
    }
}
