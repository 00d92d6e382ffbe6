using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>PipelineService answering from the <see cref="FakeBackend"/>.</summary>
internal sealed class FakePipelineService(FakeBackend backend) : PipelineService.PipelineServiceBase
{
    public override Task<CreatePipelineVersionResponse> CreatePipelineVersion(CreatePipelineVersionRequest request, ServerCallContext context) =>
        Task.FromResult(backend.CreatePipelineVersion(backend.Record(request)));

    public override Task<PipelineVersion> GetPipeline(GetPipelineRequest request, ServerCallContext context) =>
        Task.FromResult(backend.GetPipeline(backend.Record(request)));

    public override Task<ListPipelineVersionsResponse> ListPipelineVersions(ListPipelineVersionsRequest request, ServerCallContext context) =>
        Task.FromResult(backend.ListPipelineVersions(backend.Record(request)));

    public override Task<ListPipelinesResponse> ListPipelines(ListPipelinesRequest request, ServerCallContext context) =>
        Task.FromResult(backend.ListPipelines(backend.Record(request)));

    public override Task<DeletePipelineResponse> DeletePipeline(DeletePipelineRequest request, ServerCallContext context) =>
        Task.FromResult(backend.DeletePipeline(backend.Record(request)));
}

/// <summary>RunService answering from the <see cref="FakeBackend"/>.</summary>
internal sealed class FakeRunService(FakeBackend backend) : RunService.RunServiceBase
{
    public override Task<Run> SubmitRun(SubmitRunRequest request, ServerCallContext context) => Task.FromResult(backend.SubmitRun(backend.Record(request)));

    public override Task<Run> GetRun(GetRunRequest request, ServerCallContext context) => Task.FromResult(backend.GetRun(backend.Record(request)));

    public override Task<ListRunsResponse> ListRuns(ListRunsRequest request, ServerCallContext context) => Task.FromResult(backend.ListRuns(backend.Record(request)));

    public override Task<Run> CancelRun(CancelRunRequest request, ServerCallContext context) => Task.FromResult(backend.CancelRun(backend.Record(request)));

    public override Task<Run> RetryRun(RetryRunRequest request, ServerCallContext context) => Task.FromResult(backend.RetryRun(backend.Record(request)));

    public override Task WatchRun(WatchRunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context) =>
        backend.WatchRun(backend.Record(request), responseStream, context);

    public override Task StreamLogs(StreamLogsRequest request, IServerStreamWriter<LogChunk> responseStream, ServerCallContext context) =>
        backend.StreamLogs(backend.Record(request), responseStream, context);
}

/// <summary>NodeService (the admin calls) answering from the <see cref="FakeBackend"/>.</summary>
internal sealed class FakeNodeService(FakeBackend backend) : NodeService.NodeServiceBase
{
    public override Task<ListNodesResponse> ListNodes(ListNodesRequest request, ServerCallContext context) => Task.FromResult(backend.ListNodes(backend.Record(request)));

    public override Task<Node> CordonNode(CordonNodeRequest request, ServerCallContext context) => Task.FromResult(backend.CordonNode(backend.Record(request)));

    public override Task<Node> UncordonNode(CordonNodeRequest request, ServerCallContext context) => Task.FromResult(backend.UncordonNode(backend.Record(request)));

    public override Task<Node> DrainNode(CordonNodeRequest request, ServerCallContext context) => Task.FromResult(backend.DrainNode(backend.Record(request)));
}

/// <summary>SchedulingService answering from the <see cref="FakeBackend"/>.</summary>
internal sealed class FakeSchedulingService(FakeBackend backend) : SchedulingService.SchedulingServiceBase
{
    public override Task<SchedulingConfigResponse> GetSchedulingConfig(GetSchedulingConfigRequest request, ServerCallContext context) =>
        Task.FromResult(backend.GetSchedulingConfig(backend.Record(request)));

    public override Task<SchedulingConfigResponse> UpdateSchedulingConfig(UpdateSchedulingConfigRequest request, ServerCallContext context) =>
        Task.FromResult(backend.UpdateSchedulingConfig(backend.Record(request)));

    public override Task<ListPoolsResponse> ListPools(ListPoolsRequest request, ServerCallContext context) => Task.FromResult(backend.ListPools(backend.Record(request)));

    public override Task<ExplainPendingResponse> ExplainPending(ExplainPendingRequest request, ServerCallContext context) =>
        Task.FromResult(backend.ExplainPending(backend.Record(request)));
}
