using System.Globalization;
using System.Net;

using k8s;
using k8s.Autorest;
using k8s.Models;

using Microsoft.Extensions.Logging;

using Orchestrator.Core.Storage;
using Orchestrator.Execution.Processes;

namespace Orchestrator.Execution.Kubernetes;

/// <summary>A created step pod, followed through a watch until it ends: its log streamed to the launch, its exit code
/// read from the container's state, and deleted on cancel, timeout, a container that cannot start, and after it ends.</summary>
internal sealed class RunningPod : IRunningStep, IDisposable
{
    // The log stream ends when the container ends; past this the rest of the log is given up.
    private static readonly TimeSpan LogDrainLimit = TimeSpan.FromSeconds(5);
    // How long after its grace a deleted pod may take to disappear before the attempt is concluded anyway.
    private static readonly TimeSpan DeletionSlack = TimeSpan.FromSeconds(30);
    private const int ReadChunkBytes = 64 * 1024;

    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly StepLaunch _launch;
    private readonly TimeSpan _killGrace;
    private readonly KubernetesExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _giveUp = new();
    private readonly CancellationTokenSource _logsEnd = new();
    private readonly ITimer? _timeoutTimer;
    private ITimer? _unschedulableTimer;
    private ITimer? _giveUpTimer;
    private Task? _logs;
    private string? _logFailure;
    private StopReason _stopReason;
    private string? _stopDetail;
    private TimeSpan _stopGrace;
    private bool _deleted;
    private bool _ended;

    public RunningPod(IKubernetes client, string @namespace, string podName, StepLaunch launch, TimeSpan killGrace,
        KubernetesExecutorOptions options, TimeProvider time, ILogger logger)
    {
        _client = client;
        _namespace = @namespace;
        PodName = podName;
        _launch = launch;
        _killGrace = killGrace;
        _options = options;
        _time = time;
        _logger = logger;
        if (launch.Timeout is { } timeout && timeout > TimeSpan.Zero)
        {
            _timeoutTimer = time.CreateTimer(_ => Stop(StopReason.TimedOut, _killGrace, null), null, timeout, Timeout.InfiniteTimeSpan);
        }
        Completion = RunAsync();
    }

    private enum StopReason
    {
        None,
        TimedOut,
        Cancelled,
        CannotStart,
        Unschedulable,
    }

    /// <summary>The pod's name.</summary>
    public string PodName { get; }

    /// <inheritdoc />
    public int ProcessId => 0;

    /// <inheritdoc />
    public Task<ProcessResult> Completion { get; }

    /// <inheritdoc />
    public Task<ProcessResult> CancelAsync(TimeSpan grace)
    {
        Stop(StopReason.Cancelled, grace, null);
        return Completion;
    }

    private void Stop(StopReason reason, TimeSpan grace, string? detail)
    {
        lock (_gate)
        {
            if (_stopReason != StopReason.None || _ended) return;
            _stopReason = reason;
            _stopDetail = detail;
            _stopGrace = grace;
            _giveUpTimer = _time.CreateTimer(_ => _giveUp.Cancel(), null, grace + DeletionSlack, Timeout.InfiniteTimeSpan);
        }
        _ = DeleteAsync(grace);
    }

    private async Task DeleteAsync(TimeSpan grace)
    {
        lock (_gate)
        {
            if (_deleted) return;
            _deleted = true;
        }
        var seconds = (long)Math.Ceiling(Math.Max(0, grace.TotalSeconds));
        try
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(PodName, _namespace,
                new V1DeleteOptions { GracePeriodSeconds = seconds, PropagationPolicy = "Background" }).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
        catch (Exception e)
        {
            KubernetesLog.PodNotDeleted(_logger, PodName, e.Message);
        }
    }

    private async Task<ProcessResult> RunAsync()
    {
        // Let the constructor finish before the first callback can touch the fields.
        await Task.Yield();
        var last = await FollowAsync().ConfigureAwait(false);
        StopReason reason;
        lock (_gate)
        {
            _ended = true;
            reason = _stopReason;
        }
        _timeoutTimer?.Dispose();
        _unschedulableTimer?.Dispose();
        if (_logs is not null)
        {
            try
            {
                await _logs.WaitAsync(LogDrainLimit, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _logFailure ??= "the log stream did not end with the container; the rest of the log was not read";
                await _logsEnd.CancelAsync().ConfigureAwait(false);
            }
        }
        // Finished pods hold nothing, but leaving them would collide with a later run of the same attempt name.
        await DeleteAsync(TimeSpan.Zero).ConfigureAwait(false);
        _giveUpTimer?.Dispose();
        var result = Describe(reason, last);
        Dispose();
        return result;
    }

    /// <summary>Watches the pod until it ends or disappears; returns what was read last.</summary>
    private async Task<PodReading?> FollowAsync()
    {
        var selector = $"metadata.name={PodName}";
        PodReading? last = null;
        while (!_giveUp.IsCancellationRequested)
        {
            try
            {
                // List, then watch from the list's version: nothing that happens in between is missed.
                var list = await _client.CoreV1.ListNamespacedPodAsync(_namespace, fieldSelector: selector, cancellationToken: _giveUp.Token).ConfigureAwait(false);
                var current = list.Items.FirstOrDefault();
                if (current is null) return last;
                last = Observe(current);
                if (last.Ended) return last;
                var events = _client.CoreV1.WatchListNamespacedPodAsync(_namespace, fieldSelector: selector,
                    resourceVersion: list.Metadata?.ResourceVersion, cancellationToken: _giveUp.Token);
                await foreach (var (type, pod) in events.ConfigureAwait(false))
                {
                    if (type == WatchEventType.Deleted) return pod.Status is null ? last : Observe(pod);
                    if (type is not (WatchEventType.Added or WatchEventType.Modified)) continue;
                    last = Observe(pod);
                    if (last.Ended) return last;
                }
            }
            catch (OperationCanceledException) when (_giveUp.IsCancellationRequested)
            {
                return last;
            }
            catch (Exception e)
            {
                KubernetesLog.PodWatchBroke(_logger, PodName, e.Message);
            }
            try
            {
                await Task.Delay(_options.WatchRetryDelay, _time, _giveUp.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return last;
            }
        }
        return last;
    }

    private PodReading Observe(V1Pod pod)
    {
        var reading = PodReading.Of(pod);
        if (reading.ContainerStarted && _logs is null) _logs = PumpLogsAsync();
        if (reading.CannotStart is { } cannotStart) Stop(StopReason.CannotStart, TimeSpan.Zero, cannotStart);
        if (reading.Unschedulable is { } unschedulable)
        {
            _unschedulableTimer ??= _time.CreateTimer(
                _ => Stop(StopReason.Unschedulable, TimeSpan.Zero, unschedulable), null, _options.UnschedulableTimeout, Timeout.InfiniteTimeSpan);
        }
        else if (_unschedulableTimer is not null)
        {
            // Scheduled after all (a previous pod released its GPUs in time).
            _unschedulableTimer.Dispose();
            _unschedulableTimer = null;
        }
        return reading;
    }

    private async Task PumpLogsAsync()
    {
        await Task.Yield();
        try
        {
            using var stream = await _client.CoreV1.ReadNamespacedPodLogAsync(PodName, _namespace, container: PodManifest.ContainerName,
                follow: true, cancellationToken: _logsEnd.Token).ConfigureAwait(false);
            var buffer = new byte[ReadChunkBytes];
            int read;
            while ((read = await stream.ReadAsync(buffer, _logsEnd.Token).ConfigureAwait(false)) > 0)
            {
                // Kubernetes merges the container's stdout and stderr into one log.
                _launch.OnOutput(LogStreamKind.Stdout, buffer.AsMemory(0, read));
            }
        }
        catch (OperationCanceledException) when (_logsEnd.IsCancellationRequested)
        {
            // Given up after the drain limit.
        }
        catch (Exception e)
        {
            _logFailure = $"its log could not be read: {e.Message}";
        }
    }

    private ProcessResult Describe(StopReason reason, PodReading? last)
    {
        var pod = $"pod {PodName}";
        var grace = Seconds(_stopGrace);
        var exitCode = last?.ExitCode ?? (last?.Phase == "Succeeded" ? 0 : -1);
        var signal = UnixSignals.FromExitCode(exitCode);
        var ending = last?.ExitCode is null
            ? "it did not run to an exit"
            : signal is { } s ? $"killed by signal {s} ({UnixSignals.Name(s)})" : $"exited with code {exitCode}";
        if (last?.TerminatedReason is { } why && why is not ("Error" or "Completed")) ending += $" ({why})";
        var message = reason switch
        {
            StopReason.TimedOut => $"timed out after {Seconds(_launch.Timeout!.Value)}; {pod} deleted with a grace of {grace}; {ending}",
            StopReason.Cancelled => $"cancelled; {pod} deleted with a grace of {grace}; {ending}",
            StopReason.CannotStart => $"{pod} could not start its container: {_stopDetail}",
            StopReason.Unschedulable => $"{pod} could not be scheduled within {Seconds(_options.UnschedulableTimeout)}: {_stopDetail}",
            _ when last is null || !last.Ended => $"{pod} disappeared before it ended (deleted or evicted by someone else); {ending}",
            _ => ending,
        };
        if (_logFailure is { } failure) message += $"; {failure}";
        if (reason is StopReason.CannotStart or StopReason.Unschedulable || last is null || !last.Ended) exitCode = exitCode == 0 ? -1 : exitCode;
        return new ProcessResult(exitCode, reason == StopReason.TimedOut, reason == StopReason.Cancelled, signal, message);
    }

    /// <summary>Releases the cancellation sources once the pod has been concluded.</summary>
    public void Dispose()
    {
        _giveUp.Dispose();
        _logsEnd.Dispose();
    }

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds >= 1 ? $"{span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s" : $"{span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
}
