using Grpc.Core;

using Orchestrator.Contracts.V1;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains;
using Orchestrator.Grains.Models;
using Orchestrator.Grains.Retraining;
using RetrainingStatus = Orchestrator.Contracts.V1.RetrainingStatus;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>RetrainingService</c>: retraining policies per model and the cluster-wide budget.</summary>
public sealed class RetrainingService(IGrainFactory grains) : Contracts.V1.RetrainingService.RetrainingServiceBase
{
    /// <inheritdoc />
    public override async Task<RetrainingStatus> SetRetrainingPolicy(SetRetrainingPolicyRequest request, ServerCallContext context)
    {
        var tenant = RequestRules.Tenant(request.Tenant);
        var policy = RetrainingMapper.ToCore(request.Policy, tenant);
        if (policy.Tenant != tenant) RequestRules.Tenant(policy.Tenant, "policy.tenant");
        var status = await Model(tenant, request.Name).SetPolicyAsync(policy, ModelService.Reason(request.Reason), PipelineService.Caller(context));
        return RetrainingMapper.ToProto(status);
    }

    /// <inheritdoc />
    public override async Task<RetrainingStatus> GetRetrainingStatus(GetRetrainingStatusRequest request, ServerCallContext context)
    {
        var tenant = RequestRules.Tenant(request.Tenant);
        await grains.GetGrain<IModelGrain>(ModelGrain.KeyOf(tenant, ModelService.ModelName(request.Name))).GetAsync();
        return RetrainingMapper.ToProto(await Model(tenant, request.Name).GetAsync());
    }

    /// <inheritdoc />
    public override async Task<RetrainingStatus> DeleteRetrainingPolicy(DeleteRetrainingPolicyRequest request, ServerCallContext context) =>
        RetrainingMapper.ToProto(await Model(RequestRules.Tenant(request.Tenant), request.Name).RemovePolicyAsync(ModelService.Reason(request.Reason), PipelineService.Caller(context)));

    /// <inheritdoc />
    public override async Task<RetrainingStatus> TriggerRetraining(TriggerRetrainingRequest request, ServerCallContext context) =>
        RetrainingMapper.ToProto(await Model(RequestRules.Tenant(request.Tenant), request.Name).TriggerAsync(ModelService.Reason(request.Reason), PipelineService.Caller(context)));

    /// <inheritdoc />
    public override async Task<Contracts.V1.RetrainingBudget> GetRetrainingBudget(GetRetrainingBudgetRequest request, ServerCallContext context) =>
        RetrainingMapper.ToProto(await Budget.GetAsync());

    /// <inheritdoc />
    public override async Task<Contracts.V1.RetrainingBudget> SetRetrainingBudget(SetRetrainingBudgetRequest request, ServerCallContext context)
    {
        var current = (await Budget.GetAsync()).Spec;
        return RetrainingMapper.ToProto(await Budget.ConfigureAsync(RetrainingMapper.ToCore(request.Limits, current), PipelineService.Caller(context)));
    }

    private IRetrainingBudgetGrain Budget => grains.GetGrain<IRetrainingBudgetGrain>(RetrainingBudgetGrain.Key);

    private IRetrainingGrain Model(string tenant, string name) => grains.GetGrain<IRetrainingGrain>(ModelGrain.KeyOf(tenant, ModelService.ModelName(name)));
}
