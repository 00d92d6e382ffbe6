using System.Security.Cryptography;
using System.Text;

using Microsoft.Extensions.Options;

using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Agent;
using Orchestrator.Execution.Gpus;
using Orchestrator.Execution.Tests.Support;

using Xunit.Abstractions;

namespace Orchestrator.Execution.Tests.Agent;

/// <summary>Verifies the agent runtime end to end against a gateway hosted in the test (real gRPC, real processes):
/// registration, assignment to reports with logs and outputs, acknowledgements and the outbox, re-sending after a
/// reconnect, duplicate assignments, cancellation, heartbeats, refusals and graceful stop.</summary>
public sealed class AgentRuntimeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly List<AgentRuntime> _agents = [];
    private FakeGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await FakeGateway.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await agent.StopAsync(stop.Token);
            agent.Dispose();
        }
        await _gateway.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(AgentRuntime Agent, FakeAgentConnection Connection)> StartAgentAsync(Action<AgentOptions>? configure = null)
    {
        var options = new AgentOptions { NodeName = "node-1", WorkDirectory = _dir.Combine("work"), CpuMillis = 8000, MemoryBytes = 16L << 30 };
        options.Gateways.Add(_gateway.Address);
        options.Labels["zone"] = "test";
        options.KillGrace = TimeSpan.FromSeconds(5);
        options.FinalAckWait = TimeSpan.FromMilliseconds(200);
        configure?.Invoke(options);
        var agent = new AgentRuntime(Options.Create(options), new SimulatedGpus(options.NodeName, 2), new TestOutputLogger<AgentRuntime>(output), TimeProvider.System);
        _agents.Add(agent);
        await agent.StartAsync(CancellationToken.None);
        var connection = await _gateway.NextConnectionAsync();
        await connection.WaitForAsync(m => m.Register is not null, "register");
        return (agent, connection);
    }

    private static StepAssignment Step(string stepKey, string script, params int[] gpus)
    {
        var assignment = new StepAssignment { Step = new StepRef { RunId = "run-1", StepKey = stepKey, Attempt = 1 }, Node = "node-1" };
        assignment.Command.AddRange(["sh", "-c", script]);
        assignment.GpuIndices.AddRange(gpus);
        return assignment;
    }

    /// <summary>A step that waits until the test creates its "go" file (so the test decides when it ends).</summary>
    private StepAssignment WaitingStep(string stepKey, string before = "", params int[] gpus) =>
        Step(stepKey, $"{before} echo started >> '{_dir.Combine(stepKey + ".starts")}'; while [ ! -e '{_dir.Combine(stepKey + ".go")}' ]; do sleep 0.05; done", gpus);

    private void Release(string stepKey) => File.WriteAllText(_dir.Combine(stepKey + ".go"), "");

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task Register_AnnouncesNodeLabelsGpusCpuAndMemory()
    {
        var (_, connection) = await StartAgentAsync();

        var register = connection.Registration;

        Assert.Equal("node-1", register.Node);
        Assert.Equal("test", register.Labels["zone"]);
        Assert.Equal(8000, register.CpuMillis);
        Assert.Equal(16L << 30, register.MemoryBytes);
        Assert.Empty(register.Running);
        Assert.Equal([0, 1], register.Gpus.Select(g => g.Index));
        Assert.All(register.Gpus, g =>
        {
            Assert.True(g.Simulated);
            Assert.Equal(SimulatedGpus.DefaultModel, g.Model);
            Assert.Equal(80L << 30, g.MemoryBytes);
            Assert.StartsWith("GPU-", g.Uuid);
        });
    }

    [Fact]
    public async Task Assign_RunsTheStep_ReportsStartedLogsThenFinishedWithOutputs()
    {
        var (agent, connection) = await StartAgentAsync();
        var assignment = Step("train",
            "echo hello; echo oops >&2; echo \"gpus=[$CUDA_VISIBLE_DEVICES]\"; printf 0.93 > \"$ORCH_OUTPUTS_DIR/accuracy\"; cat {{inputs.msg}} > {{outputs.copy}}",
            1);
        assignment.Inputs.Add(new StepInput { Name = "msg", Value = "hi there" });
        assignment.Outputs.AddRange(["accuracy", "copy"]);

        await connection.AssignAsync(assignment);
        var started = await connection.StartedAsync(assignment.Step);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.True(started.Pid > 0);
        Assert.Equal(StepOutcome.Succeeded, finished.Outcome);
        Assert.Equal(0, finished.ExitCode);
        Assert.Equal("exited with code 0", finished.Message);
        Assert.Equal(["accuracy", "copy"], finished.Outputs.Select(o => o.Name));
        Assert.Equal(Sha256("0.93"), finished.Outputs[0].Digest);
        Assert.Equal("0.93", finished.Outputs[0].Value);
        Assert.Equal(Sha256("hi there"), finished.Outputs[1].Digest);
        Assert.Equal(8, finished.Outputs[1].Size);
        // The agent shares no disk with this gateway: outputs were uploaded through its ArtifactService.
        Assert.NotNull(await _gateway.Artifacts.StatAsync(Sha256("hi there")));
        Assert.Equal("hello\ngpus=[1]\n", connection.LogText(assignment.Step, LogStream.Stdout));
        Assert.Equal("oops\n", connection.LogText(assignment.Step, LogStream.Stderr));
        var received = connection.Received;
        Assert.True(received.FindLastIndex(m => m.StepLog is not null) < received.FindIndex(m => m.StepFinished is not null),
            "every log message comes before step_finished");
        Assert.True(received.FindIndex(m => m.StepStarted is not null) < received.FindIndex(m => m.StepLog is not null));
        await Eventually.TrueAsync(() => !Directory.Exists(_dir.Combine("work", "run-1")), "the workspace is removed after the report");
        Assert.Empty(agent.RunningSteps);
    }

    [Fact]
    public async Task Acks_RemoveReportsFromTheOutbox()
    {
        _gateway.AutoAck = false;
        var (agent, connection) = await StartAgentAsync();
        var assignment = Step("quick", "true");

        await connection.AssignAsync(assignment);
        var started = await connection.StartedAsync(assignment.Step);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(2, agent.PendingReports);
        Assert.True(finished.ReportId > started.ReportId);
        await connection.AckAsync(started.ReportId);
        await Eventually.TrueAsync(() => agent.PendingReports == 1, "the started report is acknowledged");
        await connection.AckAsync(finished.ReportId);
        await Eventually.TrueAsync(() => agent.PendingReports == 0, "the finished report is acknowledged");
    }

    [Fact]
    public async Task UnackedReports_AreResentInOrderAfterTheStreamDropsAndTheAgentReconnects()
    {
        _gateway.AutoAck = false;
        var (agent, first) = await StartAgentAsync();
        var assignment = Step("quick", "echo done");
        await first.AssignAsync(assignment);
        var started = await first.StartedAsync(assignment.Step);
        var finished = await first.FinishedAsync(assignment.Step);

        first.Drop();
        var second = await _gateway.NextConnectionAsync();
        var resentFinished = await second.FinishedAsync(assignment.Step);

        var received = second.Received;
        Assert.Equal(AgentMessage.BodyOneofCase.Register, received[0].BodyCase);
        Assert.Empty(received[0].Register.Running);
        Assert.Equal(started, received[1].StepStarted);
        Assert.Equal(finished, resentFinished);
        Assert.Equal(received[2].StepFinished, resentFinished);
        await second.AckAsync(started.ReportId);
        await second.AckAsync(finished.ReportId);
        await Eventually.TrueAsync(() => agent.PendingReports == 0, "the re-sent reports are acknowledged");
    }

    [Fact]
    public async Task RunningStep_SurvivesAReconnect_IsNamedInRegister_AndReportsOnTheNewStream()
    {
        var (agent, first) = await StartAgentAsync();
        var assignment = WaitingStep("long");
        await first.AssignAsync(assignment);
        var started = await first.StartedAsync(assignment.Step);

        first.Drop();
        var second = await _gateway.NextConnectionAsync();
        await second.WaitForAsync(m => m.Register is not null, "register after the reconnect");

        Assert.Equal([assignment.Step], second.Registration.Running);
        Assert.False(UnixProcesses.IsGone(started.Pid));
        Release("long");
        var finished = await second.FinishedAsync(assignment.Step);
        Assert.Equal(StepOutcome.Succeeded, finished.Outcome);
        await Eventually.TrueAsync(() => agent.PendingReports == 0, "the report is acknowledged");
    }

    [Fact]
    public async Task DuplicateAssign_WhileRunningOrUnacknowledged_IsNotStartedAgain()
    {
        _gateway.AutoAck = false;
        var (agent, connection) = await StartAgentAsync();
        var assignment = WaitingStep("once");
        await connection.AssignAsync(assignment);
        await connection.StartedAsync(assignment.Step);

        await connection.AssignAsync(assignment);
        // Messages are handled in order: once a later step has started, the duplicate has been dealt with.
        var barrier = Step("barrier-1", "true");
        await connection.AssignAsync(barrier);
        await connection.StartedAsync(barrier.Step);
        Assert.Single(agent.RunningSteps, s => s.Step.Equals(assignment.Step));

        Release("once");
        await connection.FinishedAsync(assignment.Step);
        await connection.AssignAsync(assignment);
        var secondBarrier = Step("barrier-2", "true");
        await connection.AssignAsync(secondBarrier);
        await connection.StartedAsync(secondBarrier.Step);

        Assert.Single(File.ReadAllLines(_dir.Combine("once.starts")));
        Assert.Single(connection.Received, m => m.StepStarted?.Step.Equals(assignment.Step) == true);
    }

    [Fact]
    public async Task Cancel_TermsTheStepAndReportsCancelledWithTheReason()
    {
        var (_, connection) = await StartAgentAsync();
        var assignment = Step("cancel-me", "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done");
        await connection.AssignAsync(assignment);
        await Eventually.TrueAsync(() => connection.LogText(assignment.Step, LogStream.Stdout).Contains("ready"), "the step is ready");

        await connection.SendAsync(new ControlMessage { Cancel = new CancelStep { Step = assignment.Step, GraceMs = 5000, Reason = "user asked" } });
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.Cancelled, finished.Outcome);
        Assert.Equal(0, finished.ExitCode);
        Assert.Equal("cancelled; after SIGTERM it exited with code 0 (user asked)", finished.Message);
        Assert.Contains("bye", connection.LogText(assignment.Step, LogStream.Stdout));
    }

    [Fact]
    public async Task Heartbeats_CarryGpuSamples_TheHeldGpuBusyAndTheOtherIdle()
    {
        _gateway.HeartbeatIntervalMs = 100;
        var (_, connection) = await StartAgentAsync();
        var assignment = WaitingStep("gpu-step", gpus: 1);
        await connection.AssignAsync(assignment);
        await connection.StartedAsync(assignment.Step);

        var busy = await connection.WaitForAsync(
            m => m.Heartbeat is { Gpus.Count: 2 } h && h.Gpus[1].Utilization == 1.0, "a heartbeat with GPU 1 busy");

        Assert.Equal(0.0, busy.Heartbeat.Gpus[0].Utilization);
        Release("gpu-step");
        await connection.FinishedAsync(assignment.Step);
    }

    [Fact]
    public async Task Assign_ForAnotherNode_IsRefusedWithoutStarting()
    {
        var (_, connection) = await StartAgentAsync();
        var assignment = Step("elsewhere", "touch should-not-run");
        assignment.Node = "node-2";

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.InfraFailed, finished.Outcome);
        Assert.Equal("assigned to node \"node-2\", but this agent is \"node-1\": not started", finished.Message);
        Assert.DoesNotContain(connection.Received, m => m.StepStarted is not null);
    }

    [Fact]
    public async Task Assign_GpuTheNodeDoesNotHave_IsRefused()
    {
        var (_, connection) = await StartAgentAsync();
        var assignment = Step("too-many", "true", 1, 5);

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.InfraFailed, finished.Outcome);
        Assert.Equal("assigned GPU 5, which this node does not have (it has: 0, 1): not started", finished.Message);
    }

    [Fact]
    public async Task Assign_CommandThatDoesNotExist_FailsAsTheStepsErrorWithTheMessage()
    {
        var (_, connection) = await StartAgentAsync();
        var assignment = new StepAssignment { Step = new StepRef { RunId = "run-1", StepKey = "typo", Attempt = 1 } };
        assignment.Command.Add("pyhton3");

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.Failed, finished.Outcome);
        Assert.Equal(127, finished.ExitCode);
        Assert.StartsWith("command \"pyhton3\" was not found on PATH", finished.Message);
    }

    [Fact]
    public async Task Assign_MissingOutput_FailsNamingTheOutput()
    {
        var (_, connection) = await StartAgentAsync();
        var assignment = Step("forgetful", "echo trained");
        assignment.Outputs.Add("model");

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.Failed, finished.Outcome);
        Assert.Equal("output \"model\" was not written to $ORCH_OUTPUTS_DIR/model", finished.Message);
    }

    [Fact]
    public async Task Assign_InputArtifactTheStoreDoesNotHave_IsAnInfrastructureFailure()
    {
        var (_, connection) = await StartAgentAsync();
        var assignment = Step("needs-data", "cat {{inputs.data}}");
        assignment.Inputs.Add(new StepInput { Name = "data", Artifact = new Artifact { Digest = Sha256("never uploaded") } });

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.InfraFailed, finished.Outcome);
        Assert.StartsWith($"input \"data\": could not fetch artifact {Sha256("never uploaded")}", finished.Message);
    }

    [Fact]
    public async Task Assign_InputArtifact_IsDownloadedThroughTheGateway()
    {
        var (_, connection) = await StartAgentAsync();
        var stored = await _gateway.Artifacts.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes("rows\n")), null);
        var assignment = Step("reads-data", "cat {{inputs.data}}");
        assignment.Inputs.Add(new StepInput { Name = "data", Artifact = new Artifact { Digest = stored.Digest, Size = stored.Size } });

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.Succeeded, finished.Outcome);
        Assert.Equal("rows\n", connection.LogText(assignment.Step, LogStream.Stdout));
    }

    [Fact]
    public async Task Assign_PastItsTimeout_IsReportedTimedOut()
    {
        var (_, connection) = await StartAgentAsync();
        var assignment = Step("slow", "exec sleep 300");
        assignment.TimeoutMs = 300;

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.TimedOut, finished.Outcome);
        Assert.StartsWith("timed out after 300 ms", finished.Message);
    }

    [Fact]
    public async Task LocalArtifacts_OutputsAreWrittenToTheSharedStoreDirectly()
    {
        var shared = _dir.Combine("shared-artifacts");
        var (agent, connection) = await StartAgentAsync(o => o.LocalArtifactsDirectory = shared);
        var assignment = Step("local", "printf local > {{outputs.result}}");
        assignment.Outputs.Add("result");

        await connection.AssignAsync(assignment);
        var finished = await connection.FinishedAsync(assignment.Step);

        Assert.Equal(StepOutcome.Succeeded, finished.Outcome);
        Assert.True(File.Exists(Path.Combine(shared, "sha256", Sha256("local")[..2], Sha256("local"))));
        Assert.Null(await _gateway.Artifacts.StatAsync(Sha256("local")));
        Assert.NotNull(await agent.ArtifactStore.StatAsync(Sha256("local")));
    }

    [Fact]
    public async Task KeepWorkspaces_LeavesTheAttemptDirectory()
    {
        var (_, connection) = await StartAgentAsync(o => o.KeepWorkspaces = true);
        var assignment = Step("kept", "echo kept > note");

        await connection.AssignAsync(assignment);
        await connection.FinishedAsync(assignment.Step);

        Assert.Equal("kept\n", File.ReadAllText(_dir.Combine("work", "run-1", "kept", "1", "note")));
    }

    [Fact]
    public async Task StopAsync_CancelsRunningStepsAndReportsThemBeforeClosing()
    {
        var (agent, connection) = await StartAgentAsync();
        var assignment = WaitingStep("interrupted");
        await connection.AssignAsync(assignment);
        var started = await connection.StartedAsync(assignment.Step);

        await agent.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));

        var finished = await connection.FinishedAsync(assignment.Step);
        Assert.Equal(StepOutcome.Cancelled, finished.Outcome);
        Assert.Contains("the agent is shutting down", finished.Message);
        Assert.True(UnixProcesses.IsGone(started.Pid));
        Assert.Equal(0, agent.PendingReports);
    }
}
