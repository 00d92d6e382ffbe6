using Google.Protobuf;
using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;
using Orchestrator.Gateway.Mapping;
using Orchestrator.Grains;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Scheduling;
using CoreRunState = Orchestrator.Core.Runs.RunState;

namespace Orchestrator.Gateway.Services;

/// <summary>gRPC <c>RunService</c>: maps requests to run grains, the run index and the step log store.</summary>
public sealed class RunService(IGrainFactory grains, IRunIndex runIndex, IStepLogStore logs)
    : Contracts.V1.RunService.RunServiceBase
{
    /// <summary>How long one long-poll for new events waits inside the grain.</summary>
    private static readonly TimeSpan PollWait = TimeSpan.FromSeconds(20);

    /// <inheritdoc />
    public override async Task<Run> SubmitRun(SubmitRunRequest request, ServerCallContext context)
    {
        var tenant = RequestRules.Tenant(request.Tenant);
        var pipeline = RequestRules.Pipeline(request.Pipeline);
        if (request.Priority is < -1000 or > 1000) throw OrchestratorException.Invalid("priority", $"{request.Priority} is out of range; use -1000..1000");
        var priority = await PriorityAsync(request);
        if (request.RequestId.Length > 128) throw OrchestratorException.Invalid("request_id", "is at most 128 characters");
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Parameters)
        {
            try
            {
                arguments[name] = ValueText.ToText(value) ?? throw new FormatException("a null value; leave the parameter out to use its default");
            }
            catch (FormatException e)
            {
                throw OrchestratorException.Invalid($"parameters.{RequestRules.Clip(name)}", e.Message);
            }
        }

        var submit = new SubmitRun
        {
            Tenant = tenant, Pipeline = pipeline, Version = request.PipelineVersion.Length == 0 ? "latest" : request.PipelineVersion,
            Arguments = arguments, Priority = priority, Labels = RequestRules.Labels(request.Labels), RequestId = request.RequestId,
            CacheDisabled = request.DisableCache, Admission = AdmissionOf(request.Admission),
            SubmittedBy = request.SubmittedBy.Length > 0 ? RequestRules.Clip(request.SubmittedBy) : PipelineService.Caller(context),
        };
        var id = request.RequestId.Length > 0 ? RunIds.FromRequest(tenant, request.RequestId) : RunIds.New();
        return RunMapper.ToProto(await grains.GetGrain<IRunGrain>(id).SubmitAsync(submit));
    }

    /// <summary>The run's admission mode; unspecified means stepwise.</summary>
    private static Core.Runs.AdmissionMode AdmissionOf(Admission admission) => admission switch
    {
        Admission.Unspecified or Admission.Stepwise => Core.Runs.AdmissionMode.Stepwise,
        Admission.WholeRun => Core.Runs.AdmissionMode.WholeRun,
        _ => throw OrchestratorException.Invalid("admission", $"{(int)admission} is not an admission mode; use ADMISSION_STEPWISE or ADMISSION_WHOLE_RUN"),
    };

    /// <summary>The bare priority, or the value of the named class in the scheduling configuration in force.</summary>
    private async Task<int> PriorityAsync(SubmitRunRequest request)
    {
        if (request.PriorityClass.Length == 0) return request.Priority;
        if (request.Priority != 0)
            throw OrchestratorException.Invalid("priority_class", "give either priority or priority_class, not both");
        return await PriorityClasses.ResolveAsync(grains, request.PriorityClass);
    }

    /// <inheritdoc />
    public override async Task<Run> GetRun(GetRunRequest request, ServerCallContext context) =>
        RunMapper.ToProto(await Run(request.RunId).GetAsync(!request.OmitEvents));

    /// <inheritdoc />
    public override async Task<ListRunsResponse> ListRuns(ListRunsRequest request, ServerCallContext context)
    {
        if (request.PageSize is < 0 or > 1000) throw OrchestratorException.Invalid("page_size", $"{request.PageSize} is out of range; use 1..1000 (0 for 50)");
        var query = new RunQuery
        {
            Tenant = request.Tenant.Length == 0 ? null : RequestRules.Tenant(request.Tenant),
            Pipeline = request.Pipeline.Length == 0 ? null : RequestRules.Pipeline(request.Pipeline),
            States = request.States.Count == 0 ? null : request.States.Select(s => s == Contracts.V1.RunState.Unspecified
                ? throw OrchestratorException.Invalid("states", "RUN_STATE_UNSPECIFIED is not a state to filter by")
                : (CoreRunState)(int)s).ToHashSet(),
            Labels = RequestRules.Selector(request.LabelSelector),
            PageSize = request.PageSize == 0 ? 50 : request.PageSize,
            PageToken = request.PageToken.Length == 0 ? null : request.PageToken,
        };
        RunPage page;
        try
        {
            page = await runIndex.QueryAsync(query);
        }
        catch (ArgumentException e)
        {
            throw OrchestratorException.Invalid("page_token", e.Message);
        }

        var response = new ListRunsResponse { NextPageToken = page.NextPageToken ?? "" };
        response.Runs.AddRange(page.Runs.Select(RunMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task WatchRun(WatchRunRequest request, IServerStreamWriter<Contracts.V1.RunEvent> responseStream, ServerCallContext context)
    {
        if (request.FromRevision < 0) throw OrchestratorException.Invalid("from_revision", "must not be negative; 0 sends the whole history");
        var run = Run(request.RunId);
        var after = request.FromRevision;
        while (!context.CancellationToken.IsCancellationRequested)
        {
            var page = await run.WaitForEventsAsync(after, 512, PollWait);
            foreach (var e in page.Events)
            {
                await responseStream.WriteAsync(RunMapper.ToProto(e), context.CancellationToken);
                after = e.Revision;
            }

            if (page.Terminal) return;
        }
    }

    /// <inheritdoc />
    public override async Task<Run> CancelRun(CancelRunRequest request, ServerCallContext context)
    {
        var actor = request.RequestedBy.Length > 0 ? RequestRules.Clip(request.RequestedBy) : PipelineService.Caller(context);
        return RunMapper.ToProto(await Run(request.RunId).CancelAsync($"user:{actor}", RequestRules.Clip(request.Reason)));
    }

    /// <inheritdoc />
    public override async Task<Run> RetryRun(RetryRunRequest request, ServerCallContext context)
    {
        var actor = request.RequestedBy.Length > 0 ? RequestRules.Clip(request.RequestedBy) : PipelineService.Caller(context);
        return RunMapper.ToProto(await Run(request.RunId).RetryAsync($"user:{actor}"));
    }

    /// <inheritdoc />
    public override async Task StreamLogs(StreamLogsRequest request, IServerStreamWriter<LogChunk> responseStream, ServerCallContext context)
    {
        if (request.StepKey.Length == 0) throw OrchestratorException.Invalid("step_key", "is required: give the step's key, e.g. 'train' or 'train[0]'");
        if (request.Attempt < 0) throw OrchestratorException.Invalid("attempt", "must not be negative; 0 means the latest attempt");
        var run = await Run(request.RunId).GetAsync(includeEvents: false);
        var step = run.Steps.FirstOrDefault(s => s.Key == request.StepKey)
            ?? throw OrchestratorException.NotFound($"run {request.RunId} has no step '{RequestRules.Clip(request.StepKey)}'; its steps are {string.Join(", ", run.Steps.Select(s => s.Key).Take(20))}");
        var attempt = request.Attempt == 0 ? step.Attempt : request.Attempt;
        if (attempt == 0 || attempt > step.Attempt)
            throw OrchestratorException.NotFound($"step {step.Key} has no attempt {attempt}{(step.Attempt == 0 ? " yet: it has not started" : $"; its latest is {step.Attempt}")}");

        if (request.Replica < 0) throw OrchestratorException.Invalid("replica", "must not be negative; 0 is a gang's first process (and an ordinary step's only one)");
        if (request.Replica > 0)
        {
            var processes = step.Attempts.FirstOrDefault(a => a.Number == attempt)?.Replicas.Count ?? 0;
            if (request.Replica >= processes)
            {
                throw OrchestratorException.NotFound(processes > 1
                    ? $"step {step.Key} attempt {attempt} ran as {processes} replicas, 0 to {processes - 1}; there is no replica {request.Replica}"
                    : $"step {step.Key} attempt {attempt} {(step.State == Orchestrator.Core.Runs.StepState.Ready && attempt == step.Attempt ? "is not placed yet" : "ran as one process")}: leave the replica out (or 0)");
            }
        }

        await foreach (var entry in logs.ReadAsync(new StepLogKey(request.RunId, step.Key, attempt, request.Replica), request.Follow, context.CancellationToken))
        {
            await responseStream.WriteAsync(new LogChunk
            {
                Stream = (LogStream)(int)entry.Stream, Data = ByteString.CopyFrom(entry.Data.Span), Time = RunMapper.Time(entry.Time),
            }, context.CancellationToken);
        }
    }

    private IRunGrain Run(string id) => grains.GetGrain<IRunGrain>(RequestRules.RunId(id));
}
