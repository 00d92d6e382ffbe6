using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Scheduling;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>SchedulingService</c>: the runtime scheduling configuration, pools, and why steps wait.</summary>
public sealed class SchedulingService(IGrainFactory grains) : Contracts.V1.SchedulingService.SchedulingServiceBase
{
    private ISchedulingConfigGrain Config => grains.GetGrain<ISchedulingConfigGrain>(SchedulingConfigGrain.Key);

    /// <inheritdoc />
    public override async Task<SchedulingConfigResponse> GetSchedulingConfig(GetSchedulingConfigRequest request, ServerCallContext context) =>
        ToProto(await Config.GetAsync());

    /// <inheritdoc />
    public override async Task<SchedulingConfigResponse> UpdateSchedulingConfig(UpdateSchedulingConfigRequest request, ServerCallContext context)
    {
        if (request.Config is null) throw OrchestratorException.Invalid("config", "is missing; send the whole configuration (GetSchedulingConfig gives the current one)");
        return ToProto(await Config.UpdateAsync(SchedulingMapper.ToCore(request.Config)));
    }

    /// <inheritdoc />
    public override async Task<ListPoolsResponse> ListPools(ListPoolsRequest request, ServerCallContext context)
    {
        var pools = await SchedulerPools.KnownAsync(grains);
        var statuses = await Task.WhenAll(pools.Select(async pool =>
        {
            var scheduler = grains.GetGrain<ISchedulerGrain>(pool);
            var usage = scheduler.GetUsageAsync();
            var nodes = scheduler.ListNodesAsync();
            return SchedulingMapper.ToProto(await usage, await nodes);
        }));
        var response = new ListPoolsResponse();
        response.Pools.AddRange(statuses);
        return response;
    }

    /// <inheritdoc />
    public override async Task<ExplainPendingResponse> ExplainPending(ExplainPendingRequest request, ServerCallContext context)
    {
        var runId = RequestRules.RunId(request.RunId);
        var waiting = await grains.GetGrain<IRunGrain>(runId).GetWaitingAsync(request.Step.Length == 0 ? null : request.Step);
        if (request.Step.Length > 0 && waiting.Count == 0)
            throw OrchestratorException.NotFound($"run {runId} has no step named '{RequestRules.Clip(request.Step)}'; `orch run get {runId}` lists its steps");

        var byPool = waiting.Where(w => w.State == Core.Runs.StepState.Ready)
            .SelectMany(w => w.Pools.Select(p => (Pool: p, Job: w.Step.ToString())))
            .GroupBy(x => x.Pool, StringComparer.Ordinal)
            .ToList();
        var answers = await Task.WhenAll(byPool.Select(g => grains.GetGrain<ISchedulerGrain>(g.Key).ExplainAsync([.. g.Select(x => x.Job)])));
        var explanations = answers.SelectMany(a => a).ToLookup(e => e.JobId, StringComparer.Ordinal);

        var response = new ExplainPendingResponse();
        var admission = await grains.GetGrain<IRunGrain>(runId).GetAdmissionAsync();
        if (admission is { Waiting: true, Pool: { } pool })
            response.Admission = SchedulingMapper.ToProto(await grains.GetGrain<ISchedulerGrain>(pool).ExplainAdmissionAsync(runId));
        foreach (var step in waiting)
        {
            var item = new PendingStepExplanation { StepKey = step.Step.StepKey, Attempt = step.Step.Attempt, State = step.State.ToString() };
            item.Pools.AddRange(explanations[step.Step.ToString()].OrderBy(e => e.Pool, StringComparer.Ordinal).Select(SchedulingMapper.ToProto));
            response.Steps.Add(item);
        }

        return response;
    }

    private static SchedulingConfigResponse ToProto(SchedulingConfigVersion version) => new()
    {
        Config = SchedulingMapper.ToProto(version.Config), Version = version.Version, UpdatedAt = RunMapper.Time(version.UpdatedAt),
    };
}
