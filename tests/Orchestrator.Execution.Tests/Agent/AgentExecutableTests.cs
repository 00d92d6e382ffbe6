using System.Globalization;

using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Tests.Support;

namespace Orchestrator.Execution.Tests.Agent;

/// <summary>Verifies the standalone agent executable: a step and its grandchild do not outlive an agent killed with
/// SIGKILL (no orphans), SIGTERM stops it gracefully with the step reported cancelled, and bad options are refused
/// with a clear message.</summary>
public sealed class AgentExecutableTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly List<int> _pids = [];
    private FakeGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await FakeGateway.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var pid in _pids) UnixProcesses.KillGroup(pid);
        foreach (var pid in _pids) UnixProcesses.KillProcess(pid);
        await _gateway.DisposeAsync();
        _dir.Dispose();
    }

    private AgentExecutable StartAgent() =>
        AgentExecutable.Start(_dir.Path, "--gateway", _gateway.Address, "--name", "exe-node", "--work-dir", _dir.Combine("work"), "--simulate-gpus", "1");

    /// <summary>Assigns a step that records its own pid and a grandchild's, then sleeps; returns both pids.</summary>
    private async Task<(StepRef Step, int StepPid, int GrandchildPid)> RunSleeperAsync(FakeAgentConnection connection, AgentExecutable agent)
    {
        var pids = _dir.Combine("pids");
        var assignment = new StepAssignment { Step = new StepRef { RunId = "run-x", StepKey = "sleeper", Attempt = 1 }, Node = "exe-node" };
        assignment.Command.AddRange(["sh", "-c", $"echo $$ > '{pids}.tmp'; sleep 300 & echo $! >> '{pids}.tmp'; mv '{pids}.tmp' '{pids}'; wait"]);
        await connection.AssignAsync(assignment);
        var started = await connection.StartedAsync(assignment.Step);
        await Eventually.TrueAsync(() => File.Exists(pids), $"the step writes its pids (agent output: {agent.Output})");
        var lines = File.ReadAllLines(pids).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        _pids.AddRange(lines);
        Assert.Equal(started.Pid, lines[0]);
        return (assignment.Step, lines[0], lines[1]);
    }

    [Fact]
    public async Task AgentKilledWithSigkill_LeavesNoStepProcessBehind()
    {
        using var agent = StartAgent();
        var connection = await _gateway.NextConnectionAsync();
        var (_, stepPid, grandchildPid) = await RunSleeperAsync(connection, agent);
        Assert.False(UnixProcesses.IsGone(stepPid));
        Assert.False(UnixProcesses.IsGone(grandchildPid));

        agent.Process.Kill(entireProcessTree: false);
        await agent.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        await Eventually.TrueAsync(() => UnixProcesses.IsGone(stepPid), "the step process is gone", TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => UnixProcesses.IsGone(grandchildPid), "the grandchild sleep is gone", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AgentStoppedWithSigterm_CancelsTheStepReportsItAndExitsCleanly()
    {
        using var agent = StartAgent();
        var connection = await _gateway.NextConnectionAsync();
        var (step, stepPid, grandchildPid) = await RunSleeperAsync(connection, agent);

        UnixProcesses.Terminate(agent.Process.Id);
        var finished = await connection.FinishedAsync(step);
        await agent.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(StepOutcome.Cancelled, finished.Outcome);
        Assert.Contains("the agent is shutting down", finished.Message);
        Assert.Equal(0, agent.Process.ExitCode);
        Assert.True(UnixProcesses.IsGone(stepPid));
        await Eventually.TrueAsync(() => UnixProcesses.IsGone(grandchildPid), "the grandchild sleep is gone");
    }

    [Fact]
    public async Task AgentWithoutGateway_ExitsWithAClearError()
    {
        using var agent = AgentExecutable.Start(_dir.Path, "--name", "n1");

        await agent.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.NotEqual(0, agent.Process.ExitCode);
        await Eventually.TrueAsync(() => agent.Output.Contains("--gateway is required"), "the error is printed");
    }
}
