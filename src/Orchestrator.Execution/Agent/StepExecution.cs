using Orchestrator.Contracts.V1;
using Orchestrator.Execution.Processes;
using Orchestrator.Execution.Workspaces;

namespace Orchestrator.Execution.Agent;

/// <summary>One assigned step attempt on this node: workspace, process, outputs, and the reports about them.</summary>
internal sealed class StepExecution : IDisposable
{
    // Exit code reported for an attempt whose process never ran.
    private const int NoProcess = -1;

    private readonly StepAssignment _assignment;
    private readonly StepExecutionContext _context;
    private readonly IStepReporter _reporter;
    private readonly CancellationTokenSource _preparation = new();
    private readonly Lock _gate = new();
    private IRunningStep? _process;
    private string? _cancelReason;
    private TimeSpan _cancelGrace;
    private bool _over;

    public StepExecution(StepAssignment assignment, StepExecutionContext context, IStepReporter reporter)
    {
        _assignment = assignment;
        _context = context;
        _reporter = reporter;
        Step = assignment.Step;
        GpuIndices = assignment.GpuIndices.ToList();
    }

    /// <summary>Which attempt this is.</summary>
    public StepRef Step { get; }

    /// <summary>GPUs it holds.</summary>
    public IReadOnlyList<int> GpuIndices { get; }

    /// <summary>The process id, 0 until it has started.</summary>
    public int ProcessId
    {
        get
        {
            lock (_gate) return _process?.ProcessId ?? 0;
        }
    }

    /// <summary>Id of the <c>step_finished</c> report once made (set by the agent under its lock).</summary>
    public long? FinishedReportId { get; set; }

    /// <summary>Completes once the finished report has been made and the workspace removed.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Starts running it in the background.</summary>
    public void Start() => Completion = Task.Run(RunAsync);

    /// <summary>Stops it: before the process starts nothing runs; after, SIGTERM then SIGKILL after <paramref name="grace"/>.</summary>
    public void Cancel(TimeSpan grace, string reason)
    {
        IRunningStep? process;
        lock (_gate)
        {
            if (_cancelReason is not null || _over) return;
            _cancelReason = reason;
            _cancelGrace = grace;
            process = _process;
            if (process is null) _preparation.Cancel();
        }
        if (process is not null) _ = process.CancelAsync(grace);
    }

    private async Task RunAsync()
    {
        AttemptWorkspace? workspace = null;
        StepLogBatcher? logs = null;
        StepFinished finished;
        try
        {
            workspace = await _context.Workspaces.CreateAsync(_assignment, _preparation.Token).ConfigureAwait(false);
            var command = workspace.ResolveCommand(_assignment, _context.NodeName);
            logs = new StepLogBatcher(Step, _reporter.SendLog, _context.Time);
            var timeout = _assignment.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(_assignment.TimeoutMs) : (TimeSpan?)null;
            var launch = new StepLaunch(command.Argv, command.Environment, workspace.Directory, timeout, logs.Append) { KillGrace = _context.KillGrace, Assignment = _assignment };
            _preparation.Token.ThrowIfCancellationRequested();
            var process = await _context.Runner.StartAsync(launch, CancellationToken.None).ConfigureAwait(false);
            string? cancelReason;
            TimeSpan grace;
            lock (_gate)
            {
                _process = process;
                cancelReason = _cancelReason;
                grace = _cancelGrace;
            }
            if (cancelReason is not null) _ = process.CancelAsync(grace);
            _reporter.Started(Step, process.ProcessId);
            var result = await process.Completion.ConfigureAwait(false);
            logs.Complete();
            finished = await ConcludeAsync(result, workspace).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_preparation.IsCancellationRequested)
        {
            finished = Report(StepOutcome.Cancelled, NoProcess, $"cancelled before it started ({CancelReason})");
        }
        catch (StepPreparationException e)
        {
            finished = Report(e.IsAgentFault ? StepOutcome.InfraFailed : StepOutcome.Failed, NoProcess, e.Message);
        }
        catch (CommandNotRunnableException e)
        {
            // The shell's code for "command not found", so that scripts and people read it the usual way.
            finished = Report(StepOutcome.Failed, 127, e.Message);
        }
        catch (Exception e)
        {
            finished = Report(StepOutcome.InfraFailed, NoProcess, $"the agent could not run the step: {e.Message}");
        }
        finally
        {
            logs?.Complete();
            logs?.Dispose();
            Dispose();
        }
        _reporter.Finished(finished);
        if (workspace is not null && !_context.KeepWorkspaces && workspace.Delete() is { } error)
        {
            ExecutionLog.WorkspaceNotRemoved(_context.Logger, workspace.Directory, error.Message);
        }
    }

    /// <summary>Marks it over: cancelling has no effect from now on.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_over) return;
            _over = true;
            _preparation.Dispose();
        }
    }

    private string CancelReason
    {
        get
        {
            lock (_gate) return string.IsNullOrEmpty(_cancelReason) ? "no reason given" : _cancelReason;
        }
    }

    private async Task<StepFinished> ConcludeAsync(ProcessResult result, AttemptWorkspace workspace)
    {
        if (result.Cancelled) return Report(StepOutcome.Cancelled, result.ExitCode, $"{result.Message} ({CancelReason})");
        if (result.TimedOut) return Report(StepOutcome.TimedOut, result.ExitCode, result.Message);
        if (!result.Succeeded) return Report(StepOutcome.Failed, result.ExitCode, result.Message);
        // A gang's outputs are replica 0's (the rank that writes checkpoints and metrics); the others only compute.
        if (Step.Replica > 0) return Report(StepOutcome.Succeeded, result.ExitCode, result.Message);
        OutputCollection outputs;
        try
        {
            outputs = await workspace.CollectOutputsAsync(_assignment.Outputs).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return Report(StepOutcome.InfraFailed, result.ExitCode, $"exited with code 0, but the agent could not store its outputs: {e.Message}");
        }
        if (outputs.Failure is not null) return Report(StepOutcome.Failed, result.ExitCode, outputs.Failure);
        var finished = Report(StepOutcome.Succeeded, result.ExitCode, result.Message);
        finished.Outputs.AddRange(outputs.Artifacts);
        return finished;
    }

    private StepFinished Report(StepOutcome outcome, int exitCode, string message) =>
        new() { Step = Step, Outcome = outcome, ExitCode = exitCode, Message = message };
}
