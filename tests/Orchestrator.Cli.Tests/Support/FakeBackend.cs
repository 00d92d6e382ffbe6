using System.Collections.Concurrent;

using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>What the fake server answers and everything it was asked, shared by the fake services; tests script it.</summary>
public sealed class FakeBackend
{
    /// <summary>Every request received, in order of arrival.</summary>
    public ConcurrentQueue<object> Requests { get; } = new();

    public Func<CreatePipelineVersionRequest, CreatePipelineVersionResponse> CreatePipelineVersion { get; set; } = _ => throw Unimplemented();

    public Func<GetPipelineRequest, PipelineVersion> GetPipeline { get; set; } = _ => throw Unimplemented();

    public Func<ListPipelineVersionsRequest, ListPipelineVersionsResponse> ListPipelineVersions { get; set; } = _ => throw Unimplemented();

    public Func<ListPipelinesRequest, ListPipelinesResponse> ListPipelines { get; set; } = _ => throw Unimplemented();

    public Func<DeletePipelineRequest, DeletePipelineResponse> DeletePipeline { get; set; } = _ => throw Unimplemented();

    public Func<SubmitRunRequest, Run> SubmitRun { get; set; } = _ => throw Unimplemented();

    public Func<GetRunRequest, Run> GetRun { get; set; } = _ => throw Unimplemented();

    public Func<ListRunsRequest, ListRunsResponse> ListRuns { get; set; } = _ => throw Unimplemented();

    public Func<CancelRunRequest, Run> CancelRun { get; set; } = _ => throw Unimplemented();

    public Func<RetryRunRequest, Run> RetryRun { get; set; } = _ => throw Unimplemented();

    /// <summary>Streams a run's events: write to the stream, throw an RpcException or abort the call to break it.</summary>
    public Func<WatchRunRequest, IServerStreamWriter<RunEvent>, ServerCallContext, Task> WatchRun { get; set; } = (_, _, _) => throw Unimplemented();

    public Func<StreamLogsRequest, IServerStreamWriter<LogChunk>, ServerCallContext, Task> StreamLogs { get; set; } = (_, _, _) => throw Unimplemented();

    public Func<ListNodesRequest, ListNodesResponse> ListNodes { get; set; } = _ => throw Unimplemented();

    public Func<CordonNodeRequest, Node> CordonNode { get; set; } = _ => throw Unimplemented();

    public Func<CordonNodeRequest, Node> UncordonNode { get; set; } = _ => throw Unimplemented();

    public Func<CordonNodeRequest, Node> DrainNode { get; set; } = _ => throw Unimplemented();

    public Func<GetSchedulingConfigRequest, SchedulingConfigResponse> GetSchedulingConfig { get; set; } = _ => throw Unimplemented();

    public Func<UpdateSchedulingConfigRequest, SchedulingConfigResponse> UpdateSchedulingConfig { get; set; } = _ => throw Unimplemented();

    public Func<ListPoolsRequest, ListPoolsResponse> ListPools { get; set; } = _ => throw Unimplemented();

    public Func<ExplainPendingRequest, ExplainPendingResponse> ExplainPending { get; set; } = _ => throw Unimplemented();

    public Func<RegisterModelVersionRequest, RegisterModelVersionResponse> RegisterModelVersion { get; set; } = _ => throw Unimplemented();

    public Func<GetModelRequest, Model> GetModel { get; set; } = _ => throw Unimplemented();

    public Func<ListModelsRequest, ListModelsResponse> ListModels { get; set; } = _ => throw Unimplemented();

    public Func<GetModelVersionRequest, ModelVersion> GetModelVersion { get; set; } = _ => throw Unimplemented();

    public Func<ListModelVersionsRequest, ListModelVersionsResponse> ListModelVersions { get; set; } = _ => throw Unimplemented();

    public Func<SetAliasRequest, AliasChange> SetAlias { get; set; } = _ => throw Unimplemented();

    public Func<RemoveAliasRequest, AliasChange> RemoveAlias { get; set; } = _ => throw Unimplemented();

    public Func<CompareModelVersionsRequest, CompareModelVersionsResponse> CompareModelVersions { get; set; } = _ => throw Unimplemented();

    public Func<GetAuditTrailRequest, GetAuditTrailResponse> GetAuditTrail { get; set; } = _ => throw Unimplemented();

    public Func<SetGatesRequest, ModelGates> SetGates { get; set; } = _ => throw Unimplemented();

    public Func<GetGatesRequest, ModelGates> GetGates { get; set; } = _ => throw Unimplemented();

    public Func<EvaluateGatesRequest, GateEvaluation> EvaluateGates { get; set; } = _ => throw Unimplemented();

    public Func<StartRolloutRequest, Rollout> StartRollout { get; set; } = _ => throw Unimplemented();

    public Func<GetRolloutRequest, Rollout> GetRollout { get; set; } = _ => throw Unimplemented();

    public Func<AdvanceRolloutRequest, Rollout> AdvanceRollout { get; set; } = _ => throw Unimplemented();

    public Func<RollBackRolloutRequest, Rollout> RollBackRollout { get; set; } = _ => throw Unimplemented();

    public Func<GetTrafficSplitRequest, TrafficSplit> GetTrafficSplit { get; set; } = _ => throw Unimplemented();

    public Func<SetRolloutPolicyRequest, RolloutPlan> SetRolloutPolicy { get; set; } = _ => throw Unimplemented();

    public Func<GetRolloutPolicyRequest, RolloutPlan> GetRolloutPolicy { get; set; } = _ => throw Unimplemented();

    public Func<SetRetrainingPolicyRequest, RetrainingStatus> SetRetrainingPolicy { get; set; } = _ => throw Unimplemented();

    public Func<GetRetrainingStatusRequest, RetrainingStatus> GetRetrainingStatus { get; set; } = _ => throw Unimplemented();

    public Func<DeleteRetrainingPolicyRequest, RetrainingStatus> DeleteRetrainingPolicy { get; set; } = _ => throw Unimplemented();

    public Func<TriggerRetrainingRequest, RetrainingStatus> TriggerRetraining { get; set; } = _ => throw Unimplemented();

    public Func<GetRetrainingBudgetRequest, RetrainingBudget> GetRetrainingBudget { get; set; } = _ => throw Unimplemented();

    public Func<SetRetrainingBudgetRequest, RetrainingBudget> SetRetrainingBudget { get; set; } = _ => throw Unimplemented();

    /// <summary>The <c>x-orch-user</c> header of each model, rollout and retraining call, in order of arrival (empty when absent).</summary>
    public ConcurrentQueue<string> ModelCallers { get; } = new();

    /// <summary>The requests of one type, in order of arrival.</summary>
    public IReadOnlyList<T> Received<T>() => Requests.OfType<T>().ToList();

    internal T Record<T>(T request)
    {
        Requests.Enqueue(request!);
        return request;
    }

    private static RpcException Unimplemented() => new(new Status(StatusCode.Unimplemented, "not scripted in this test"));
}
