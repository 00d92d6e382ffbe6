using Google.Protobuf.WellKnownTypes;

using Grpc.Core;

using Microsoft.AspNetCore.Http;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>How the fake server breaks a watch stream.</summary>
public enum StreamBreak
{
    /// <summary>Ends the call with UNAVAILABLE after the events sent so far (they all arrive).</summary>
    Status,

    /// <summary>Resets the HTTP/2 stream, as a dying server or proxy does (events in flight may be lost).</summary>
    Abort,
}

/// <summary>A run of the churn pipeline as the fake server tells it: a snapshot at some revision and the events after it.</summary>
public sealed class RunScript
{
    private static readonly DateTimeOffset Start = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<RunEvent> events = [];

    /// <summary>A script for run <paramref name="id"/> whose events end in <paramref name="outcome"/>.</summary>
    public RunScript(string id, RunState outcome)
    {
        Id = id;
        Add("RunSubmitted", runState: RunState.Pending);
        Add("RunStarted", runState: RunState.Running);
        Add("StepStarted", "prepare", StepState.Running, attempt: 1, node: "node-1");
        Add("StepSucceeded", "prepare", StepState.Succeeded, attempt: 1, outputs: [new Artifact { Name = "dataset", Size = 180_000, Digest = new string('d', 64) }]);
        Add("StepPlaced", "train[0]", StepState.Placed, attempt: 1, node: "node-1", gpus: [0]);
        Add("StepStarted", "train[0]", StepState.Running, attempt: 1, node: "node-1", gpus: [0]);
        if (outcome == RunState.Succeeded)
        {
            Add("StepSucceeded", "train[0]", StepState.Succeeded, attempt: 1, outputs: [new Artifact { Name = "loss", Value = "0.446365", Size = 8 }]);
            Add("RunFinished", runState: RunState.Succeeded);
        }
        else
        {
            Add("StepFailed", "train[0]", StepState.Failed, attempt: 1, exitCode: 3, message: "exited with code 3");
            Add("RunFinished", runState: outcome, message: "step train[0] failed");
        }
    }

    /// <summary>The run id.</summary>
    public string Id { get; }

    /// <summary>Every event, revisions 1..N.</summary>
    public IReadOnlyList<RunEvent> Events => events;

    /// <summary>Revision of the GetRun snapshot: the events up to here are history, the rest come through WatchRun.</summary>
    public long SnapshotRevision { get; init; } = 2;

    /// <summary>The run as GetRun returns it: state as of <see cref="SnapshotRevision"/>.</summary>
    public Run Snapshot() => new()
    {
        Id = Id,
        Tenant = "default",
        Pipeline = "churn",
        PipelineVersion = 2,
        State = events.Take((int)SnapshotRevision).LastOrDefault(e => e.RunState != RunState.Unspecified)?.RunState ?? RunState.Pending,
        Revision = SnapshotRevision,
        CreatedAt = Timestamp.FromDateTimeOffset(Start),
        StartedAt = Timestamp.FromDateTimeOffset(Start.AddSeconds(1)),
        Steps =
        {
            new StepStatus { Key = "prepare", Name = "prepare", Index = -1, State = StepState.Waiting },
            new StepStatus { Key = "train[0]", Name = "train", Index = 0, State = StepState.Waiting },
        },
    };

    /// <summary>A WatchRun handler sending the events after from_revision; the first call breaks after <paramref name="breakAfterRevision"/>.</summary>
    public Func<WatchRunRequest, IServerStreamWriter<RunEvent>, ServerCallContext, Task> Watch(long? breakAfterRevision = null, StreamBreak how = StreamBreak.Status, int breakTimes = 1)
    {
        var calls = 0;
        return async (request, stream, context) =>
        {
            var breaking = breakAfterRevision is not null && Interlocked.Increment(ref calls) <= breakTimes;
            foreach (var e in events.Where(e => e.Revision > request.FromRevision))
            {
                if (breaking && e.Revision > breakAfterRevision) break;
                await stream.WriteAsync(e);
            }

            if (!breaking) return;
            if (how == StreamBreak.Abort)
            {
                context.GetHttpContext().Abort();
                return;
            }

            throw new RpcException(new Status(StatusCode.Unavailable, "fake server dropped the stream"));
        };
    }

    private void Add(string type, string step = "", StepState stepState = StepState.Unspecified, RunState runState = RunState.Unspecified,
        int attempt = 0, string node = "", int[]? gpus = null, int exitCode = 0, string message = "", Artifact[]? outputs = null)
    {
        var revision = events.Count + 1;
        var e = new RunEvent
        {
            Revision = revision,
            Time = Timestamp.FromDateTimeOffset(Start.AddSeconds(revision)),
            Actor = "scheduler",
            Type = type,
            StepKey = step,
            StepState = stepState,
            RunState = runState,
            Attempt = attempt,
            Node = node,
            ExitCode = exitCode,
            Message = message,
        };
        e.GpuIndices.AddRange(gpus ?? []);
        e.Outputs.AddRange(outputs ?? []);
        events.Add(e);
    }
}
