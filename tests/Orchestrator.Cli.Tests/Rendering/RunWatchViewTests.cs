using Google.Protobuf.WellKnownTypes;

using Orchestrator.Cli.Rendering;
using Orchestrator.Cli.Tests.Support;
using Orchestrator.Cli.Watch;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Rendering;

/// <summary>Verifies how run events update the watched run and how the live view and event lines show it.</summary>
public sealed class RunWatchViewTests
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Apply_StepEvents_TrackStateNodeGpusAttemptAndTimes()
    {
        var state = new RunWatchState(new Run { Id = "r-1", State = RunState.Pending, Revision = 1 });

        state.Apply(Event(2, "RunStarted", runState: RunState.Running));
        state.Apply(Event(3, "StepPlaced", "train[1]", StepState.Placed, attempt: 1, node: "node-2", gpus: [2, 3]));
        state.Apply(Event(4, "StepStarted", "train[1]", StepState.Running, attempt: 1));
        state.Apply(Event(5, "StepAttemptFailed", "train[1]", StepState.Waiting, attempt: 1, message: "exit 1", retryAt: T0.AddSeconds(20)));
        state.Apply(Event(6, "StepStarted", "train[1]", StepState.Running, attempt: 2, node: "node-3", gpus: [0]));

        var step = Assert.Single(state.Run.Steps);
        Assert.Equal(("train[1]", "train", 1), (step.Key, step.Name, step.Index));
        Assert.Equal((StepState.Running, 2, "node-3"), (step.State, step.Attempt, step.Node));
        Assert.Equal([0], step.GpuIndices);
        Assert.Equal(T0.AddSeconds(6), step.StartedAt.ToDateTimeOffset());
        Assert.Null(step.FinishedAt);
        Assert.Null(step.RetryAt);
        Assert.Equal("", step.Message);
        Assert.Equal((RunState.Running, 6L), (state.Run.State, state.Revision));
        Assert.False(state.IsFinished);
    }

    [Fact]
    public void Apply_OldOrRepeatedRevision_IsIgnored()
    {
        var state = new RunWatchState(new Run { Id = "r-1", Revision = 5, State = RunState.Running });

        var applied = state.Apply(Event(5, "RunFinished", runState: RunState.Failed));

        Assert.False(applied);
        Assert.Equal(RunState.Running, state.Run.State);
    }

    [Fact]
    public void Apply_RunFinished_EndsTheWatchWithTheRunsMessage()
    {
        var state = new RunWatchState(new Run { Id = "r-1", Revision = 1, State = RunState.Running, StartedAt = Timestamp.FromDateTimeOffset(T0) });

        state.Apply(Event(2, "RunFinished", runState: RunState.Failed, message: "step train[0] failed"));

        Assert.True(state.IsFinished);
        Assert.Equal("run r-1 failed in 2s: step train[0] failed", RunEventLine.Finished(state.Run, T0.AddHours(1)));
    }

    [Fact]
    public void Render_RunningStep_ShowsElapsedUpToNow_FinishedStepItsDuration()
    {
        var run = new Run
        {
            Id = "r-9",
            Pipeline = "churn",
            PipelineVersion = 2,
            State = RunState.Running,
            StartedAt = Timestamp.FromDateTimeOffset(T0),
            Steps =
            {
                new StepStatus { Key = "prepare", State = StepState.Succeeded, Attempt = 1, Node = "node-1", StartedAt = Timestamp.FromDateTimeOffset(T0), FinishedAt = Timestamp.FromDateTimeOffset(T0.AddSeconds(4)) },
                new StepStatus { Key = "train[0]", State = StepState.Running, Attempt = 2, Node = "node-1", GpuIndices = { 0, 1 }, StartedAt = Timestamp.FromDateTimeOffset(T0.AddSeconds(5)) },
                new StepStatus { Key = "evaluate", State = StepState.Waiting },
                new StepStatus { Key = "notify", State = StepState.Waiting, ExitHandler = true },
            },
        };

        var at65 = RenderedText.Lines(RunWatchView.Render(run, T0.AddSeconds(65)));
        var at125 = RenderedText.Lines(RunWatchView.Render(run, T0.AddSeconds(125), "stream broke; reconnecting in 1s"));

        Assert.Equal("run r-9  churn@2  running  1/4 steps  1m05s", at65[0]);
        Assert.Matches(@"^STEP\s+STATE\s+ATTEMPT\s+NODE\s+GPUS\s+ELAPSED\s+MESSAGE$", at65[1]);
        Assert.Matches(@"^prepare\s+succeeded\s+1\s+node-1\s+-\s+4s$", at65[2]);
        Assert.Matches(@"^train\[0\]\s+running\s+2\s+node-1\s+0,1\s+1m00s$", at65[3]);
        Assert.Matches(@"^evaluate\s+waiting\s+-\s+-\s+-\s+-$", at65[4]);
        Assert.Matches(@"^notify \(exit\)\s+waiting", at65[5]);
        Assert.Matches(@"^train\[0\]\s+running\s+2\s+node-1\s+0,1\s+2m00s$", at125[3]);
        Assert.Equal("stream broke; reconnecting in 1s", at125[^1]);
    }

    [Fact]
    public void Gang_ShowsItsNodesWithReplicaCounts_AndGpusPerReplica_InTheViewAndTheEventLine()
    {
        var state = new RunWatchState(new Run { Id = "r-3", Pipeline = "ddp", PipelineVersion = 1, State = RunState.Running, Revision = 1, StartedAt = Timestamp.FromDateTimeOffset(T0) });
        var placed = Event(2, "StepPlaced", "train", StepState.Placed, attempt: 1, node: "gpu-1", gpus: [0, 1]);
        placed.Replicas.Add(new ReplicaPlacement { Replica = 0, Node = "gpu-1", GpuIndices = { 0, 1 } });
        placed.Replicas.Add(new ReplicaPlacement { Replica = 1, Node = "gpu-2", GpuIndices = { 0, 1 } });
        placed.Replicas.Add(new ReplicaPlacement { Replica = 2, Node = "gpu-2", GpuIndices = { 2, 3 } });

        state.Apply(placed);

        var lines = RenderedText.Lines(RunWatchView.Render(state.Run, T0.AddSeconds(5)));
        Assert.Matches(@"^train\s+placed\s+1\s+gpu-1, gpu-2 x2\s+3x 0,1\s+", lines[2]);
        var rest = RunEventLine.Format(placed);
        Assert.Contains("StepPlaced", rest, StringComparison.Ordinal);
        Assert.Contains("placed attempt 1 on gpu-1, gpu-2 x2 gpus 0,1", rest, StringComparison.Ordinal);
        var replicaDone = Event(3, "StepReplicaSucceeded", "train", attempt: 1, node: "gpu-2");
        replicaDone.Replica = 2;
        Assert.Contains("attempt 1 replica 2 on gpu-2", RunEventLine.Format(replicaDone), StringComparison.Ordinal);
    }

    [Fact]
    public void EventLine_HasTimeTypeStepAndDetails()
    {
        var line = RunEventLine.Format(Event(7, "StepAttemptFailed", "train[0]", StepState.Waiting, attempt: 1, node: "node-1", exitCode: 137,
            message: "killed by signal 9", retryAt: T0.AddSeconds(30), outputs: [new Artifact { Name = "loss", Value = "0.41" }, new Artifact { Name = "model", Size = 2048 }]));

        var rest = line[line.IndexOf(' ', StringComparison.Ordinal)..].Trim();
        Assert.Matches(@"^\d\d:\d\d:\d\d  ", line);
        Assert.Matches(@"^StepAttemptFailed\s+train\[0\]\s+waiting attempt 1 on node-1 exit 137 retry at \d\d:\d\d:\d\d outputs loss=0.41, model \(2Ki\) - killed by signal 9$", rest);
    }

    [Fact]
    public void EventLine_PreemptionAndItsEnd_SayWhyAndThatNoRetryWasUsed()
    {
        var ordered = RunEventLine.Format(Event(8, "StepPreempted", "train[0]", attempt: 1, node: "node-1",
            message: "preempted (reclaim): tenant ml-team reclaims its quota in pool h200"));
        var ended = Event(9, "StepAttemptFailed", "train[0]", StepState.Waiting, attempt: 1, exitCode: 143, message: "stopped after preemption",
            retryAt: T0.AddSeconds(9));
        ended.Preempted = true;

        Assert.Matches(@"StepPreempted\s+train\[0\]\s+attempt 1 on node-1 - preempted \(reclaim\): tenant ml-team reclaims its quota in pool h200$", ordered);
        Assert.Matches(@"StepAttemptFailed\s+train\[0\]\s+waiting attempt 1 exit 143 \(preempted: queued again, no retry used\) - stopped after preemption$",
            RunEventLine.Format(ended));
    }

    [Theory]
    [InlineData(0.4, "400ms")]
    [InlineData(42, "42s")]
    [InlineData(65, "1m05s")]
    [InlineData(3 * 3600 + 120, "3h02m")]
    [InlineData(2 * 86400 + 3600, "2d01h")]
    public void Duration_UsesTheTwoLargestUnits(double seconds, string text)
    {
        Assert.Equal(text, Humanize.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData(1023L, "1023")]
    [InlineData(512L << 20, "512Mi")]
    [InlineData(3L << 29, "1.5Gi")]
    [InlineData(143771L << 20, "140Gi")]
    public void Bytes_UseBinaryUnits(long bytes, string text)
    {
        Assert.Equal(text, Humanize.Bytes(bytes));
    }

    [Fact]
    public void EnumText_ShortNamesAndParsing()
    {
        Assert.Equal("running", EnumText.Short(RunState.Running));
        Assert.Equal("infra_failed", EnumText.Short(StepOutcome.InfraFailed));
        Assert.Equal(StepOutcome.InfraFailed, EnumText.Parse<StepOutcome>("STEP_OUTCOME_INFRA_FAILED", "--x"));
        Assert.Equal("INVALID_ARGUMENT", CliErrors.StatusName(Grpc.Core.StatusCode.InvalidArgument));
    }

    private static RunEvent Event(long revision, string type, string step = "", StepState stepState = StepState.Unspecified, RunState runState = RunState.Unspecified,
        int attempt = 0, string node = "", int[]? gpus = null, string message = "", DateTimeOffset? retryAt = null, int exitCode = 0, Artifact[]? outputs = null)
    {
        var e = new RunEvent
        {
            Revision = revision,
            Time = Timestamp.FromDateTimeOffset(T0.AddSeconds(revision)),
            Type = type,
            StepKey = step,
            StepState = stepState,
            RunState = runState,
            Attempt = attempt,
            Node = node,
            Message = message,
            ExitCode = exitCode,
            RetryAt = retryAt is null ? null : Timestamp.FromDateTimeOffset(retryAt.Value),
        };
        e.GpuIndices.AddRange(gpus ?? []);
        e.Outputs.AddRange(outputs ?? []);
        return e;
    }
}
