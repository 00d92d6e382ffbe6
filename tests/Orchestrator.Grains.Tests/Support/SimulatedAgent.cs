using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Runs;

namespace Orchestrator.Grains.Tests.Support;

/// <summary>A node agent played by the test: it registers GPUs with the node grain, heartbeats, records the
/// assignments and cancels the grains send it (as an Orleans observer, like the gateway's agent connection), and
/// reports step starts and ends to run grains the way the gateway does.</summary>
public sealed class SimulatedAgent : IAgentObserver
{
    private readonly Lock _gate = new();
    private readonly List<StepAssignment> _assignments = [];
    private readonly List<CancelOrder> _cancels = [];
    private readonly IGrainFactory _grains;
    private IAgentObserver? _reference;

    private SimulatedAgent(IGrainFactory grains, string node, IReadOnlyList<GpuDeviceInfo> gpus)
    {
        _grains = grains;
        Node = node;
        Gpus = gpus;
    }

    /// <summary>The node name.</summary>
    public string Node { get; }

    private readonly Dictionary<string, string> _labels = new() { ["zone"] = "test" };

    /// <summary>The GPUs it registers.</summary>
    public IReadOnlyList<GpuDeviceInfo> Gpus { get; }

    /// <summary>The node's grain.</summary>
    public IGpuNodeGrain Grain => _grains.GetGrain<IGpuNodeGrain>(Node);

    /// <summary>True while registered and not disconnected.</summary>
    public bool Connected => _reference is not null;

    /// <summary>Every assignment received, in arrival order, repeats included.</summary>
    public IReadOnlyList<StepAssignment> Assignments
    {
        get
        {
            lock (_gate) return [.. _assignments];
        }
    }

    /// <summary>Every cancel order received, in arrival order.</summary>
    public IReadOnlyList<CancelOrder> Cancels
    {
        get
        {
            lock (_gate) return [.. _cancels];
        }
    }

    /// <summary>Registers a node with <paramref name="gpuCount"/> GPUs of <paramref name="gpuModel"/> and the attempts it claims to run.</summary>
    public static async Task<SimulatedAgent> ConnectAsync(IGrainFactory grains, string node, int gpuCount, string gpuModel, IReadOnlyList<StepRef>? running = null,
        IReadOnlyDictionary<string, string>? labels = null)
    {
        var gpus = Enumerable.Range(0, gpuCount)
            .Select(i => new GpuDeviceInfo(i, $"GPU-{node}-{i}", gpuModel, 80L << 30, Simulated: true))
            .ToList();
        var agent = new SimulatedAgent(grains, node, gpus);
        if (labels is not null) foreach (var (key, value) in labels) agent._labels[key] = value;
        await agent.RegisterAsync(running ?? []);
        return agent;
    }

    /// <summary>Registers (again) with a fresh observer, claiming to run <paramref name="running"/>.</summary>
    public async Task<NodeRegistered> RegisterAsync(IReadOnlyList<StepRef> running)
    {
        _reference = _grains.CreateObjectReference<IAgentObserver>(this);
        return await Grain.RegisterAsync(new NodeRegistration
        {
            Node = Node,
            Labels = new Dictionary<string, string>(_labels),
            Gpus = [.. Gpus],
            CpuMillis = 64_000,
            MemoryBytes = 512L << 30,
            Running = [.. running],
            AgentVersion = "simulated",
        }, _reference);
    }

    /// <summary>One heartbeat; false when the node grain wants the agent to register again.</summary>
    public Task<bool> HeartbeatAsync() =>
        _reference is null ? Task.FromResult(false) : Grain.HeartbeatAsync([.. Gpus.Select(g => new GpuSampleInfo(g.Index, 0.5, 1L << 30))], _reference);

    /// <summary>Closes the agent's stream, as the gateway does when it ends.</summary>
    public async Task DisconnectAsync()
    {
        if (_reference is not { } reference) return;
        _reference = null;
        await Grain.DisconnectAsync(reference);
        _grains.DeleteObjectReference<IAgentObserver>(reference);
    }

    /// <summary>Waits until the assignment of <paramref name="stepKey"/> attempt <paramref name="attempt"/> of <paramref name="runId"/> arrives.</summary>
    public async Task<StepAssignment> WaitForAssignmentAsync(string runId, string stepKey, int attempt = 1, TimeSpan? timeout = null)
    {
        StepAssignment? found = null;
        await Eventually.TrueAsync(
            () => (found = Assignments.FirstOrDefault(a => a.Step == new StepRef(runId, stepKey, attempt))) is not null,
            $"node {Node} is assigned {runId}/{stepKey}#{attempt} (it has {Describe(Assignments)})", timeout);
        return found!;
    }

    /// <summary>Waits until an assignment matching <paramref name="match"/> arrives, and returns the first such.</summary>
    public async Task<StepAssignment> WaitForAssignmentAsync(Func<StepAssignment, bool> match, string what)
    {
        StepAssignment? found = null;
        await Eventually.TrueAsync(() => (found = Assignments.FirstOrDefault(match)) is not null,
            $"node {Node} is assigned {what} (it has {Describe(Assignments)})");
        return found!;
    }

    /// <summary>Waits until a cancel order for <paramref name="step"/> arrives.</summary>
    public async Task<CancelOrder> WaitForCancelAsync(StepRef step)
    {
        CancelOrder? found = null;
        await Eventually.TrueAsync(() => (found = Cancels.FirstOrDefault(c => c.Step == step)) is not null, $"node {Node} is told to cancel {step}");
        return found!;
    }

    /// <summary>Reports that the attempt's process started.</summary>
    public Task StartAsync(StepAssignment assignment) => Run(assignment.Step).StepStartedAsync(assignment.Step, Node);

    /// <summary>Reports how the attempt ended.</summary>
    public Task FinishAsync(StepAssignment assignment, AttemptOutcome outcome, int exitCode = 0, string? message = null, params StepOutput[] outputs) =>
        FinishAsync(assignment.Step, outcome, exitCode, message, outputs);

    /// <summary>Reports how an attempt ended.</summary>
    public Task FinishAsync(StepRef step, AttemptOutcome outcome, int exitCode = 0, string? message = null, params StepOutput[] outputs) =>
        Run(step).StepFinishedAsync(step, new StepReport { Outcome = outcome, ExitCode = exitCode, Message = message, Outputs = [.. outputs], Node = Node });

    /// <summary>Starts the attempt and reports it succeeded with <paramref name="outputs"/>.</summary>
    public async Task SucceedAsync(StepAssignment assignment, params StepOutput[] outputs)
    {
        await StartAsync(assignment);
        await FinishAsync(assignment, AttemptOutcome.Succeeded, 0, null, outputs);
    }

    /// <summary>Starts the attempt and reports it failed with exit code 1.</summary>
    public async Task FailAsync(StepAssignment assignment, string message = "exited with code 1")
    {
        await StartAsync(assignment);
        await FinishAsync(assignment, AttemptOutcome.Failed, 1, message);
    }

    /// <inheritdoc />
    public Task AssignAsync(StepAssignment assignment)
    {
        lock (_gate) _assignments.Add(assignment);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CancelAsync(StepRef step, TimeSpan grace, string reason)
    {
        lock (_gate) _cancels.Add(new CancelOrder(step, grace, reason));
        return Task.CompletedTask;
    }

    private IRunGrain Run(StepRef step) => _grains.GetGrain<IRunGrain>(step.RunId);

    private static string Describe(IReadOnlyList<StepAssignment> assignments) =>
        assignments.Count == 0 ? "none" : string.Join(", ", assignments.Select(a => a.Step.ToString()));
}

/// <summary>A cancel order an agent received.</summary>
public sealed record CancelOrder(StepRef Step, TimeSpan Grace, string Reason);
