using System.Globalization;

using Microsoft.Extensions.Time.Testing;

using Orchestrator.Execution.Processes;
using Orchestrator.Execution.Tests.Support;

namespace Orchestrator.Execution.Tests.Processes;

/// <summary>Verifies the process executor with real processes: exit codes and signals, separate byte-exact stdout and
/// stderr, the exact environment, its own process group and session, and that timeouts, cancellation and the end of
/// the main process reach every process of the group, grandchildren included.</summary>
public sealed class ProcessStepRunnerTests : IDisposable
{
    private static readonly Dictionary<string, string> NoEnvironment = [];
    private readonly TempDirectory _dir = new();
    private readonly List<int> _groups = [];

    public void Dispose()
    {
        // Whatever a failed assertion left running goes too.
        foreach (var group in _groups) UnixProcesses.KillGroup(group);
        _dir.Dispose();
    }

    private async Task<(RunningStep Step, CapturedOutput Output)> StartAsync(
        string script, ProcessStepRunner? runner = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new CapturedOutput();
        var launch = new StepLaunch(["sh", "-c", script], environment ?? NoEnvironment, _dir.Path, timeout, output.Append);
        var step = await (runner ?? new ProcessStepRunner()).StartAsync(launch);
        _groups.Add(step.ProcessId);
        return (step, output);
    }

    private int ReadPid(string file) => int.Parse(File.ReadAllText(_dir.Combine(file)).Trim(), CultureInfo.InvariantCulture);

    private Task WaitForFileAsync(string file) =>
        Eventually.TrueAsync(() => File.Exists(_dir.Combine(file)) && File.ReadAllText(_dir.Combine(file)).EndsWith('\n'), $"the step writes {file}");

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task ExitCode_IsPassedThrough(int code)
    {
        var (step, _) = await StartAsync($"exit {code}");

        var result = await step.Completion.Within("the step to exit");

        Assert.Equal(code, result.ExitCode);
        Assert.Null(result.Signal);
        Assert.False(result.TimedOut);
        Assert.False(result.Cancelled);
        Assert.Equal($"exited with code {code}", result.Message);
        Assert.Equal(code == 0, result.Succeeded);
    }

    [Fact]
    public async Task StdoutAndStderr_AreCapturedSeparatelyAsExactBytes()
    {
        var (step, output) = await StartAsync("printf 'out\\000\\377no newline'; printf 'err line\\n' >&2; head -c 200000 /dev/zero");

        await step.Completion.Within("the step to exit");

        var expected = new byte[] { (byte)'o', (byte)'u', (byte)'t', 0, 0xff }.Concat("no newline"u8.ToArray()).Concat(new byte[200_000]).ToArray();
        Assert.Equal(expected, output.StdoutBytes);
        Assert.Equal("err line\n", output.Stderr);
    }

    [Fact]
    public async Task Environment_IsTheLaunchsPlusPathHomeLang_AndNothingElseLeaks()
    {
        Environment.SetEnvironmentVariable("ORCH_TEST_AGENT_SECRET", "must-not-leak");
        var environment = new Dictionary<string, string> { ["FOO"] = "bar baz", ["CUDA_VISIBLE_DEVICES"] = "1,3" };

        var (step, output) = await StartAsync("env", environment: environment);
        await step.Completion.Within("the step to exit");

        var seen = output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("bar baz", seen["FOO"]);
        Assert.Equal("1,3", seen["CUDA_VISIBLE_DEVICES"]);
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), seen["PATH"]);
        Assert.DoesNotContain("ORCH_TEST_AGENT_SECRET", seen.Keys);
        // /bin/sh exports PWD (the working directory) itself.
        Assert.Subset(new HashSet<string> { "FOO", "CUDA_VISIBLE_DEVICES", "PATH", "HOME", "LANG", "PWD" }, seen.Keys.ToHashSet());
    }

    [Fact]
    public async Task Step_LeadsItsOwnSessionAndProcessGroup()
    {
        var (step, output) = await StartAsync("echo ready; exec sleep 300");
        await Eventually.TrueAsync(() => output.Stdout.Contains("ready"), "the step runs");

        var stat = UnixProcesses.Stat(step.ProcessId);
        await step.CancelAsync(TimeSpan.Zero).Within("the step to be killed");

        Assert.NotNull(stat);
        Assert.Equal(step.ProcessId, stat.Value.ProcessGroup);
        Assert.Equal(step.ProcessId, stat.Value.Session);
    }

    [Fact]
    public async Task SignalExit_IsReportedAsKilledBySignal()
    {
        var (step, _) = await StartAsync("kill -KILL $$");

        var result = await step.Completion.Within("the step to die");

        Assert.Equal(137, result.ExitCode);
        Assert.Equal(9, result.Signal);
        Assert.Equal("killed by signal 9 (SIGKILL)", result.Message);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task Timeout_TerminatesTheWholeGroupIncludingAGrandchild()
    {
        var time = new FakeTimeProvider();
        var runner = new ProcessStepRunner(TimeSpan.FromSeconds(10), time);
        var (step, _) = await StartAsync($"sleep 300 & echo $! > grandchild; wait", runner, timeout: TimeSpan.FromMinutes(5));
        await WaitForFileAsync("grandchild");
        var grandchild = ReadPid("grandchild");

        time.Advance(TimeSpan.FromMinutes(5));
        var result = await step.Completion.Within("the timed-out step to end");

        Assert.True(result.TimedOut);
        Assert.False(result.Cancelled);
        Assert.Equal(15, result.Signal);
        Assert.StartsWith("timed out after 300 s", result.Message);
        await Eventually.TrueAsync(() => UnixProcesses.IsGone(grandchild), "the grandchild sleep is gone");
        Assert.True(UnixProcesses.IsGone(step.ProcessId));
    }

    [Fact]
    public async Task Cancel_StepThatTrapsTermAndExitsCleanly_IsReportedCancelled()
    {
        var (step, output) = await StartAsync("trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done");
        await Eventually.TrueAsync(() => output.Stdout.Contains("ready"), "the step is ready");

        var result = await step.CancelAsync(TimeSpan.FromSeconds(30)).Within("the cancelled step to end");

        Assert.True(result.Cancelled);
        Assert.Equal(0, result.ExitCode);
        Assert.Null(result.Signal);
        Assert.Equal("cancelled; after SIGTERM it exited with code 0", result.Message);
        Assert.Contains("bye", output.Stdout);
    }

    [Fact]
    public async Task Cancel_StepThatIgnoresTerm_IsKilledAfterTheGrace()
    {
        var time = new FakeTimeProvider();
        var runner = new ProcessStepRunner(time: time);
        var (step, output) = await StartAsync("trap 'echo ignored' TERM; echo ready; while :; do sleep 0.05; done", runner);
        await Eventually.TrueAsync(() => output.Stdout.Contains("ready"), "the step is ready");

        var cancelled = step.CancelAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => output.Stdout.Contains("ignored"), "the step shrugs off SIGTERM");
        Assert.False(cancelled.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10));
        var result = await cancelled.Within("the step to be killed");

        Assert.True(result.Cancelled);
        Assert.Equal(9, result.Signal);
        Assert.Equal("cancelled; killed by signal 9 (SIGKILL)", result.Message);
    }

    [Fact]
    public async Task MainProcessExit_AlsoEndsWhatItLeftRunningInTheBackground()
    {
        var (step, _) = await StartAsync("sleep 300 & echo $! > leftover; exit 0");

        var result = await step.Completion.Within("the step to end");
        var leftover = ReadPid("leftover");

        Assert.Equal(0, result.ExitCode);
        await Eventually.TrueAsync(() => UnixProcesses.IsGone(leftover), "the background sleep is gone");
    }

    [Fact]
    public async Task MissingCommand_IsTheStepsErrorNamingTheCommandAndPath()
    {
        var launch = new StepLaunch(["no-such-trainer"], new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, _dir.Path, null, (_, _) => { });

        var error = await Assert.ThrowsAsync<CommandNotRunnableException>(() => new ProcessStepRunner().StartAsync(launch));

        Assert.Equal("command \"no-such-trainer\" was not found on PATH (/usr/bin:/bin): install it on the node, or give its full path", error.Message);
    }

    [Fact]
    public async Task ScriptWithoutExecuteBit_IsTheStepsErrorWithTheFix()
    {
        File.WriteAllText(_dir.Combine("train.sh"), "echo hi\n");
        var launch = new StepLaunch(["./train.sh"], NoEnvironment, _dir.Path, null, (_, _) => { });

        var error = await Assert.ThrowsAsync<CommandNotRunnableException>(() => new ProcessStepRunner().StartAsync(launch));

        Assert.Contains("is not executable: chmod +x it", error.Message);
    }

    [Fact]
    public async Task ManyChunksFromBothStreams_ArriveCompleteBeforeCompletion()
    {
        var (step, output) = await StartAsync("i=0; while [ $i -lt 2000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done");

        await step.Completion.Within("the step to end");

        Assert.Equal(2000, output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.EndsWith("err1999\n", output.Stderr);
    }
}
