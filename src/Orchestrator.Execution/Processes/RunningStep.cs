using System.Diagnostics;
using System.Text;

using Orchestrator.Core.Storage;

namespace Orchestrator.Execution.Processes;

/// <summary>A started step process: its pid, its completion, and how to stop it.</summary>
public sealed class RunningStep : IRunningStep, IAsyncDisposable
{
    // Processes that escaped the group (daemonized with their own setsid) may hold the output pipes open forever.
    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(5);
    private const int ReadChunkBytes = 64 * 1024;

    private readonly Process _process;
    private readonly StepLaunch _launch;
    private readonly TimeSpan _timeoutGrace;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ITimer? _timeoutTimer;
    private ITimer? _killTimer;
    private StopReason _stopReason;
    private bool _killSent;
    private bool _controlClosed;
    private string? _outputHandlerFailure;

    internal RunningStep(Process process, StepLaunch launch, TimeSpan timeoutGrace, TimeProvider time)
    {
        _process = process;
        _launch = launch;
        _timeoutGrace = timeoutGrace;
        _time = time;
        ProcessId = process.Id;
        StartedAt = time.GetUtcNow();
        if (launch.Timeout is { } timeout && timeout > TimeSpan.Zero)
        {
            _timeoutTimer = time.CreateTimer(_ => Stop(StopReason.TimedOut, _timeoutGrace), null, timeout, Timeout.InfiniteTimeSpan);
        }
        Completion = RunAsync();
    }

    private enum StopReason
    {
        None,
        TimedOut,
        Cancelled,
    }

    /// <summary>The step's pid, which is also its session and process-group id.</summary>
    public int ProcessId { get; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Completes when the process has exited and its output has been delivered; never faults.</summary>
    public Task<ProcessResult> Completion { get; }

    /// <summary>Sends SIGTERM to the step's process group, SIGKILL after <paramref name="grace"/>; completes when it has exited.</summary>
    public Task<ProcessResult> CancelAsync(TimeSpan grace)
    {
        Stop(StopReason.Cancelled, grace);
        return Completion;
    }

    /// <summary>Kills the process group if it still runs and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Completion.IsCompleted) Stop(StopReason.Cancelled, TimeSpan.Zero);
        await Completion.ConfigureAwait(false);
    }

    private void Stop(StopReason reason, TimeSpan grace)
    {
        lock (_gate)
        {
            if (_stopReason != StopReason.None || _controlClosed) return;
            _stopReason = reason;
            if (grace <= TimeSpan.Zero)
            {
                SendLocked(ProcessGroupScript.Kill);
                return;
            }
            SendLocked(ProcessGroupScript.Term);
            _killTimer = _time.CreateTimer(_ => Kill(), null, grace, Timeout.InfiniteTimeSpan);
        }
    }

    private void Kill()
    {
        lock (_gate)
        {
            if (!_controlClosed) SendLocked(ProcessGroupScript.Kill);
        }
    }

    private void SendLocked(string signal)
    {
        if (signal == ProcessGroupScript.Kill) _killSent = true;
        try
        {
            var bytes = Encoding.ASCII.GetBytes(signal);
            _process.StandardInput.BaseStream.Write(bytes);
            _process.StandardInput.BaseStream.Flush();
        }
        catch (IOException)
        {
            // The watchdog is gone, which happens only once the whole group is being killed anyway.
        }
    }

    private async Task<ProcessResult> RunAsync()
    {
        var stdout = PumpAsync(_process.StandardOutput.BaseStream, LogStreamKind.Stdout);
        var stderr = PumpAsync(_process.StandardError.BaseStream, LogStreamKind.Stderr);
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var exitCode = _process.ExitCode;
        StopReason reason;
        bool killSent;
        lock (_gate)
        {
            reason = _stopReason;
            killSent = _killSent;
            // The main process is gone: whatever it left running in its group goes too, and closing the pipe lets the watchdog exit.
            SendLocked(ProcessGroupScript.Kill);
            _controlClosed = true;
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Already closed by the other side.
            }
        }
        _timeoutTimer?.Dispose();
        _killTimer?.Dispose();

        var outputComplete = true;
        try
        {
            await Task.WhenAll(stdout, stderr).WaitAsync(OutputDrainLimit, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            outputComplete = false;
        }
        _process.Dispose();
        return Describe(exitCode, reason, killSent, outputComplete);
    }

    private ProcessResult Describe(int exitCode, StopReason reason, bool killSent, bool outputComplete)
    {
        var signal = UnixSignals.FromExitCode(exitCode);
        var ending = signal is { } s ? $"killed by signal {s} ({UnixSignals.Name(s)})" : $"exited with code {exitCode}";
        var message = reason switch
        {
            StopReason.TimedOut => $"timed out after {Seconds(_launch.Timeout!.Value)}; " +
                (killSent ? $"still running {Seconds(_timeoutGrace)} after SIGTERM, so {ending}" : $"after SIGTERM it {ending}"),
            StopReason.Cancelled => killSent ? $"cancelled; {ending}" : $"cancelled; after SIGTERM it {ending}",
            _ => ending,
        };
        if (!outputComplete) message += "; output was cut off because a process outside the step's group kept it open";
        if (_outputHandlerFailure is { } failure) message += $"; output handler failed: {failure}";
        return new ProcessResult(exitCode, reason == StopReason.TimedOut, reason == StopReason.Cancelled, signal, message);
    }

    private async Task PumpAsync(Stream stream, LogStreamKind kind)
    {
        var buffer = new byte[ReadChunkBytes];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                if (_outputHandlerFailure is not null) continue;
                try
                {
                    _launch.OnOutput(kind, buffer.AsMemory(0, read));
                }
                catch (Exception e)
                {
                    // Keep draining the pipe, or the step would block on a full pipe buffer.
                    _outputHandlerFailure = e.Message;
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke: there is no more output to read.
        }
        catch (ObjectDisposedException)
        {
            // Abandoned after the drain limit.
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMilliseconds:0} ms";
}
