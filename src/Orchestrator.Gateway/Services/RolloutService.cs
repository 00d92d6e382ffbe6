using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.Core.Models;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains;
using Orchestrator.Grains.Rollouts;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>RolloutService</c>: a model deployment's progressive rollout and traffic split, on its rollout grain.</summary>
public sealed class RolloutService(IGrainFactory grains) : Contracts.V1.RolloutService.RolloutServiceBase
{
    /// <inheritdoc />
    public override async Task<Rollout> StartRollout(StartRolloutRequest request, ServerCallContext context)
    {
        var key = Key(request.Deployment);
        if (request.Version < 1) throw OrchestratorException.Invalid("version", $"{request.Version} is not a version: give the number of a registered version (see `orch models versions MODEL`)");
        var plan = request.Plan is null ? null : RolloutMapper.ToCore(request.Plan, "plan");
        var progress = await Grain(key).StartAsync(request.Version, plan, Reason(request.Reason), PipelineService.Caller(context));
        return RolloutMapper.ToProto(key, progress);
    }

    /// <inheritdoc />
    public override async Task<Rollout> GetRollout(GetRolloutRequest request, ServerCallContext context)
    {
        var key = Key(request.Deployment);
        return RolloutMapper.ToProto(key, await Grain(key).GetAsync());
    }

    /// <inheritdoc />
    public override async Task<Rollout> AdvanceRollout(AdvanceRolloutRequest request, ServerCallContext context)
    {
        var key = Key(request.Deployment);
        return RolloutMapper.ToProto(key, await Grain(key).AdvanceAsync(Reason(request.Reason), PipelineService.Caller(context)));
    }

    /// <inheritdoc />
    public override async Task<Rollout> RollBackRollout(RollBackRolloutRequest request, ServerCallContext context)
    {
        var key = Key(request.Deployment);
        return RolloutMapper.ToProto(key, await Grain(key).RollBackAsync(Reason(request.Reason), PipelineService.Caller(context)));
    }

    /// <inheritdoc />
    public override async Task<Contracts.V1.TrafficSplit> GetTrafficSplit(GetTrafficSplitRequest request, ServerCallContext context) =>
        RolloutMapper.ToProto(await Grain(Key(request.Deployment)).GetTrafficSplitAsync());

    /// <inheritdoc />
    public override async Task<Contracts.V1.RolloutPlan> SetRolloutPolicy(SetRolloutPolicyRequest request, ServerCallContext context)
    {
        var key = Key(request.Deployment);
        if (request.Plan is null) throw OrchestratorException.Invalid("plan", "is required: give the steps (e.g. 10%, 50%, 100% with a bake time each) and the guards");
        var plan = RolloutMapper.ToCore(request.Plan, "plan");
        return RolloutMapper.ToProto(await Grain(key).SetPolicyAsync(plan, Reason(request.Reason), PipelineService.Caller(context)));
    }

    /// <inheritdoc />
    public override async Task<Contracts.V1.RolloutPlan> GetRolloutPolicy(GetRolloutPolicyRequest request, ServerCallContext context) =>
        RolloutMapper.ToProto(await Grain(Key(request.Deployment)).GetPolicyAsync());

    private IRolloutGrain Grain(string key) => grains.GetGrain<IRolloutGrain>(key);

    private static string Key(DeploymentRef? deployment)
    {
        if (deployment is null) throw OrchestratorException.Invalid("deployment", "is required: give at least deployment.model, the registered model's name");
        var tenant = RequestRules.Tenant(deployment.Tenant);
        var model = deployment.Model;
        if (model.Length == 0) throw OrchestratorException.Invalid("deployment.model", "is required: give the registered model's name, e.g. 'churn' (see `orch models list`)");
        if (!ModelNames.IsModelName(model)) throw OrchestratorException.Invalid("deployment.model", $"'{RequestRules.Clip(model)}' is not a model name: use 1-63 lowercase letters, digits and '-'");
        if (deployment.Deployment.Length > 0 && !ModelDeployments.IsName(deployment.Deployment))
            throw OrchestratorException.Invalid("deployment.deployment", $"'{RequestRules.Clip(deployment.Deployment)}' is not a deployment name: use 1-63 lowercase letters, digits and '-', or leave it empty for 'default'");
        return ModelDeployments.Key(tenant, model, deployment.Deployment);
    }

    private static string Reason(string reason) =>
        reason.Length <= ModelLimits.MaxTextLength ? reason : throw OrchestratorException.Invalid("reason", $"is {reason.Length} characters; at most {ModelLimits.MaxTextLength}");
}
