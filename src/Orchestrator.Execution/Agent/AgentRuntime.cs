using System.Reflection;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Orchestrator.Contracts.V1;
using Orchestrator.Core.Storage;
using Orchestrator.Execution.Artifacts;
using Orchestrator.Execution.Gpus;
using Orchestrator.Execution.Processes;
using Orchestrator.Execution.Workspaces;

namespace Orchestrator.Execution.Agent;

/// <summary>The node agent: keeps one <c>NodeService.Connect</c> stream to a gateway, runs the steps assigned to this
/// node, and reports on them until each report is acknowledged.</summary>
/// <remarks>
/// Reports (<c>step_started</c>, <c>step_finished</c>) stay in an outbox until acknowledged and are re-sent in order
/// after a reconnect; running steps are unaffected by a lost connection and are named in the next <c>register</c>.
/// Every outgoing message passes through the current <see cref="GatewaySession"/>, whose single writer owns the stream.
/// </remarks>
public sealed partial class AgentRuntime : BackgroundService, IStepReporter
{
    private readonly AgentOptions _options;
    private readonly IGpuDiscovery _gpuDiscovery;
    private readonly ILogger<AgentRuntime> _logger;
    private readonly TimeProvider _time;
    private readonly StepExecutionContext _context;
    private readonly GatewayChannels _channels = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<StepIdentity, StepExecution> _steps = [];
    private readonly ReportOutbox _outbox = new();
    private IReadOnlyList<GpuInfo> _gpus = [];
    private GatewaySession? _session;
    private TaskCompletionSource? _outboxEmptied;
    private long _lastReportId;
    private bool _stopping;

    /// <summary>Creates the agent; options are validated here (see <see cref="AgentOptionsValidator"/>).</summary>
    public AgentRuntime(IOptions<AgentOptions> options, IGpuDiscovery gpuDiscovery, ILogger<AgentRuntime> logger, TimeProvider time)
        : this(options, gpuDiscovery, logger, time, runner: null)
    {
    }

    /// <summary>Creates the agent with its own step runner (the Kubernetes executor's pods); null runs OS processes.</summary>
    internal AgentRuntime(IOptions<AgentOptions> options, IGpuDiscovery gpuDiscovery, ILogger<AgentRuntime> logger, TimeProvider time, IStepRunner? runner)
    {
        _options = options.Value;
        AgentOptionsValidator.EnsureValid(_options);
        _gpuDiscovery = gpuDiscovery;
        _logger = logger;
        _time = time;
        // Ids keep increasing across agent restarts, so the control plane never mistakes a new report for an old one.
        _lastReportId = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        ArtifactStore = _options.LocalArtifactsDirectory is { } local
            ? new FileSystemArtifactStore(local)
            : new RemoteArtifactStore(() => new ArtifactService.ArtifactServiceClient(_channels.Current ?? _channels.For(_options.Gateways[0])));
        _context = new StepExecutionContext(
            _options.NodeName,
            new StepWorkspaces(_options.WorkDirectory, ArtifactStore),
            runner ?? new ProcessStepRunner(_options.KillGrace, time),
            _options.KillGrace,
            _options.KeepWorkspaces,
            time,
            logger);
    }

    /// <summary>This node's name.</summary>
    public string NodeName => _options.NodeName;

    /// <summary>Where inputs come from and outputs go.</summary>
    public IArtifactStore ArtifactStore { get; }

    /// <summary>True while a gateway connection is open.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_gate) return _session is not null;
        }
    }

    /// <summary>Step attempts that have not finished yet.</summary>
    public IReadOnlyList<AgentStepStatus> RunningSteps
    {
        get
        {
            lock (_gate)
            {
                return _steps.Values.Where(s => s.FinishedReportId is null)
                    .Select(s => new AgentStepStatus(s.Step, s.ProcessId, s.GpuIndices)).ToList();
            }
        }
    }

    /// <summary>Reports made but not yet acknowledged by the control plane.</summary>
    public int PendingReports
    {
        get
        {
            lock (_gate) return _outbox.Count;
        }
    }

    /// <summary>Cancels running steps (SIGTERM, SIGKILL after the kill grace), reports them, waits briefly for the
    /// acknowledgements, then closes the connection.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        List<StepExecution> running;
        lock (_gate)
        {
            _stopping = true;
            running = _steps.Values.Where(s => s.FinishedReportId is null).ToList();
        }
        foreach (var step in running) step.Cancel(_options.KillGrace, "the agent is shutting down");
        try
        {
            await Task.WhenAll(running.Select(s => s.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (IsConnected) await WaitForOutboxEmptyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout wins; unacknowledged reports are lost with the process.
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _channels.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _gpus = await _gpuDiscovery.DiscoverAsync(stoppingToken).ConfigureAwait(false);
        ExecutionLog.Starting(_logger, NodeName, _gpus.Count, string.Join(", ", _options.Gateways));
        var delay = _options.ReconnectDelay;
        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            var gateway = _options.Gateways[attempt % _options.Gateways.Count];
            try
            {
                var (registered, reason) = await RunSessionAsync(gateway, stoppingToken).ConfigureAwait(false);
                if (registered) delay = _options.ReconnectDelay;
                ExecutionLog.Disconnected(_logger, gateway, reason, delay.TotalSeconds);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    private RegisterAgent RegistrationLocked()
    {
        var register = new RegisterAgent
        {
            Node = NodeName,
            Address = _options.AdvertiseAddress,
            CpuMillis = _options.CpuMillis,
            MemoryBytes = _options.MemoryBytes,
            AgentVersion = typeof(AgentRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
        };
        register.Labels.Add(_options.Labels);
        register.Gpus.AddRange(_gpus.Select(g => new GpuDevice { Index = g.Index, Uuid = g.Uuid, Model = g.Model, MemoryBytes = g.MemoryBytes, Simulated = g.Simulated }));
        register.Running.AddRange(_steps.Values.Where(s => s.FinishedReportId is null).Select(s => s.Step));
        return register;
    }

    private void OnRegistered(string gateway, Registered registered)
    {
        ExecutionLog.Registered(_logger, gateway, NodeName, registered.HeartbeatIntervalMs);
        if (registered.Node.Length > 0 && registered.Node != NodeName) ExecutionLog.RegisteredAsOther(_logger, registered.Node, NodeName);
    }

    private void OnAssign(StepAssignment assignment)
    {
        if (assignment.Step is null)
        {
            ExecutionLog.AssignmentWithoutStep(_logger);
            return;
        }
        var identity = StepIdentity.Of(assignment.Step);
        StepExecution execution;
        string? refusal;
        lock (_gate)
        {
            if (_steps.ContainsKey(identity))
            {
                ExecutionLog.DuplicateAssignment(_logger, identity.ToString());
                return;
            }
            refusal = Refusal(assignment);
            execution = new StepExecution(assignment, _context, this);
            _steps.Add(identity, execution);
        }
        if (refusal is not null)
        {
            ExecutionLog.AssignmentRefused(_logger, identity.ToString(), refusal);
            Finished(new StepFinished { Step = assignment.Step, Outcome = StepOutcome.InfraFailed, ExitCode = -1, Message = refusal });
            return;
        }
        ExecutionLog.Assigned(_logger, identity.ToString(), string.Join(',', assignment.GpuIndices));
        execution.Start();
    }

    private string? Refusal(StepAssignment assignment)
    {
        if (assignment.Node.Length > 0 && assignment.Node != NodeName)
        {
            return $"assigned to node \"{assignment.Node}\", but this agent is \"{NodeName}\": not started";
        }
        if (_stopping) return "the agent on this node is shutting down: not started";
        var unknown = assignment.GpuIndices.Where(i => _gpus.All(g => g.Index != i)).ToList();
        if (unknown.Count > 0)
        {
            var have = _gpus.Count == 0 ? "none" : string.Join(", ", _gpus.Select(g => g.Index));
            return $"assigned GPU {string.Join(", ", unknown)}, which this node does not have (it has: {have}): not started";
        }
        return null;
    }

    private void OnCancel(CancelStep cancel)
    {
        if (cancel.Step is null) return;
        StepExecution? execution;
        lock (_gate) _steps.TryGetValue(StepIdentity.Of(cancel.Step), out execution);
        if (execution is null || execution.FinishedReportId is not null)
        {
            ExecutionLog.CancelForUnknownStep(_logger, StepIdentity.Of(cancel.Step).ToString());
            return;
        }
        var grace = cancel.GraceMs > 0 ? TimeSpan.FromMilliseconds(cancel.GraceMs) : _options.KillGrace;
        execution.Cancel(grace, cancel.Reason.Length > 0 ? cancel.Reason : "cancelled by the control plane");
    }

    private void OnAck(long reportId)
    {
        lock (_gate)
        {
            if (!_outbox.Remove(reportId, out var report)) return;
            if (report!.BodyCase == AgentMessage.BodyOneofCase.StepFinished)
            {
                // Acknowledged as finished: a later assignment of the same attempt would be a new request.
                _steps.Remove(StepIdentity.Of(report.StepFinished.Step));
            }
            if (_outbox.Count == 0) _outboxEmptied?.TrySetResult();
        }
    }

    private async Task WaitForOutboxEmptyAsync(CancellationToken cancellationToken)
    {
        Task emptied;
        lock (_gate)
        {
            if (_outbox.Count == 0) return;
            _outboxEmptied ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            emptied = _outboxEmptied.Task;
        }
        try
        {
            await emptied.WaitAsync(_options.FinalAckWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ExecutionLog.ReportsUnacknowledged(_logger, PendingReports);
        }
    }

    void IStepReporter.Started(StepRef step, int processId)
    {
        ExecutionLog.StepStarted(_logger, StepIdentity.Of(step).ToString(), processId);
        var report = new AgentMessage { StepStarted = new StepStarted { Step = step, Pid = processId } };
        lock (_gate)
        {
            report.StepStarted.ReportId = ++_lastReportId;
            AddReportLocked(report.StepStarted.ReportId, report);
        }
    }

    /// <summary>Reports an attempt as over (also used for refused assignments).</summary>
    private void Finished(StepFinished finished)
    {
        var identity = StepIdentity.Of(finished.Step);
        ExecutionLog.StepFinished(_logger, identity.ToString(), finished.Outcome.ToString(), finished.Message);
        var report = new AgentMessage { StepFinished = finished };
        lock (_gate)
        {
            finished.ReportId = ++_lastReportId;
            if (_steps.TryGetValue(identity, out var execution)) execution.FinishedReportId = finished.ReportId;
            AddReportLocked(finished.ReportId, report);
        }
    }

    void IStepReporter.Finished(StepFinished finished) => Finished(finished);

    bool IStepReporter.SendLog(AgentMessage message)
    {
        lock (_gate) return _session?.TryEnqueueLog(message) ?? false;
    }

    private void AddReportLocked(long reportId, AgentMessage report)
    {
        _outbox.Add(reportId, report);
        _session?.Enqueue(report);
    }

    /// <summary>A step attempt's process (one per replica of a gang) as a dictionary key (proto messages are mutable).</summary>
    private readonly record struct StepIdentity(string RunId, string StepKey, int Attempt, int Replica)
    {
        public static StepIdentity Of(StepRef step) => new(step.RunId, step.StepKey, step.Attempt, step.Replica);

        public override string ToString() => Replica == 0 ? $"{RunId}/{StepKey}#{Attempt}" : $"{RunId}/{StepKey}#{Attempt}@r{Replica}";
    }
}
