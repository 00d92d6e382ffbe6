using Orchestrator.Core.Runs;

namespace Orchestrator.Grains.Runs;

/// <summary>One run (key: run id): its durable state machine.</summary>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Creates the run, or returns it when the same request was submitted before.</summary>
    Task<RunSnapshot> SubmitAsync(SubmitRun request);

    /// <summary>The run's current state.</summary>
    Task<RunSnapshot> GetAsync(bool includeEvents);

    /// <summary>Events after <paramref name="afterRevision"/>; waits up to <paramref name="wait"/> for one when there is none yet.</summary>
    [AlwaysInterleave]
    Task<EventPage> WaitForEventsAsync(long afterRevision, int max, TimeSpan wait);

    /// <summary>Cancels the run.</summary>
    Task<RunSnapshot> CancelAsync(string actor, string reason);

    /// <summary>Retries a failed or cancelled run from its failure.</summary>
    Task<RunSnapshot> RetryAsync(string actor);

    /// <summary>Activates the run and re-issues what it is waiting for (after a restart, or as a periodic safety net).</summary>
    Task ResumeAsync();

    /// <summary>The scheduler placed step attempts of this run on a node (one batch per pass).</summary>
    [OneWay]
    Task StepsPlacedAsync(string node, List<PlacedStep> placements);

    /// <summary>Reports from an agent about this run's attempts, in the order the agent sent them. Returns once every
    /// one is recorded durably (the gateway then acknowledges them to the agent).</summary>
    Task ReportAsync(List<AgentReport> reports);

    /// <summary>The agent started a step attempt. Returns once recorded durably.</summary>
    Task StepStartedAsync(StepRef step, string node);

    /// <summary>The agent reports how a step attempt ended. Returns once recorded durably.</summary>
    Task StepFinishedAsync(StepRef step, StepReport report);

    /// <summary>A step attempt's node was lost.</summary>
    [OneWay]
    Task StepLostAsync(StepRef step, string reason);

    /// <summary>An agent (re)registered without these step attempts among those it runs.</summary>
    [OneWay]
    Task StepsNotRunningAsync(string node, StepRef[] steps);

    /// <summary>A node asks whether it should still hold an allocation for this attempt.</summary>
    [OneWay]
    Task CheckAllocationAsync(StepRef step, string node);

    /// <summary>The steps to explain: with <paramref name="step"/> (a name or key), those steps whatever their state;
    /// without, every step not finished yet.</summary>
    Task<List<StepWaiting>> GetWaitingAsync(string? step);

    /// <summary>The pool's scheduler orders this attempt (held on <paramref name="node"/>) stopped so that a waiting
    /// step can run: the run records it, stops the process with <paramref name="grace"/> before SIGKILL, and queues
    /// the step again once the attempt has ended, without using a retry.</summary>
    [OneWay]
    Task PreemptAsync(StepRef step, string node, TimeSpan grace, string reason);

    /// <summary>The pool's scheduler admitted the run (its peak GPUs are reserved): it records it and queues its steps.</summary>
    [OneWay]
    Task AdmittedAsync();

    /// <summary>The run's admission: its mode, and the pool and peak it waits for or holds. Answers at once, even while
    /// the run is busy (it only reads memory), so a scheduler can ask without waiting behind the run's calls to it.</summary>
    [AlwaysInterleave]
    Task<RunAdmissionStatus> GetAdmissionAsync();
}

/// <summary>A run's whole-run admission as the run sees it.</summary>
/// <param name="Mode">Stepwise or whole-run.</param>
/// <param name="Waiting">True while it waits for the scheduler to admit it.</param>
/// <param name="Pool">The pool it asked in; null for a stepwise run or a peak of 0.</param>
/// <param name="PeakGpus">Its peak concurrent GPU demand; 0 for a stepwise run.</param>
/// <param name="Ended">The run is over: it holds no reservation any more.</param>
[GenerateSerializer]
[Alias("orch.run-admission-status")]
public sealed record RunAdmissionStatus([property: Id(0)] AdmissionMode Mode, [property: Id(1)] bool Waiting, [property: Id(2)] string? Pool,
    [property: Id(3)] long PeakGpus, [property: Id(4)] bool Ended = false);

/// <summary>A step attempt's state and the pools it may be placed in.</summary>
[GenerateSerializer]
[Alias("orch.step-waiting")]
public sealed record StepWaiting([property: Id(0)] StepRef Step, [property: Id(1)] StepState State, [property: Id(2)] List<string> Pools);

/// <summary>What a client submits.</summary>
[GenerateSerializer]
[Alias("orch.submit-run")]
public sealed record SubmitRun
{
    /// <summary>Owning tenant.</summary>
    [Id(0)] public required string Tenant { get; init; }
    /// <summary>Pipeline name.</summary>
    [Id(1)] public required string Pipeline { get; init; }
    /// <summary>"latest", a number or a digest.</summary>
    [Id(2)] public string Version { get; init; } = "latest";
    /// <summary>Parameter values as text.</summary>
    [Id(3)] public Dictionary<string, string> Arguments { get; init; } = [];
    /// <summary>Priority.</summary>
    [Id(4)] public int Priority { get; init; }
    /// <summary>Labels.</summary>
    [Id(5)] public Dictionary<string, string> Labels { get; init; } = [];
    /// <summary>Idempotency key.</summary>
    [Id(6)] public string RequestId { get; init; } = "";
    /// <summary>Cache off.</summary>
    [Id(7)] public bool CacheDisabled { get; init; }
    /// <summary>Who submits.</summary>
    [Id(8)] public string SubmittedBy { get; init; } = "anonymous";
    /// <summary>Stepwise (default) or whole-run admission.</summary>
    [Id(9)] public AdmissionMode Admission { get; init; } = AdmissionMode.Stepwise;
}

/// <summary>How an attempt ended, as the agent reports it.</summary>
[GenerateSerializer]
[Alias("orch.step-report")]
public sealed record StepReport
{
    /// <summary>Outcome.</summary>
    [Id(0)] public AttemptOutcome Outcome { get; init; }
    /// <summary>Exit code.</summary>
    [Id(1)] public int ExitCode { get; init; }
    /// <summary>Detail.</summary>
    [Id(2)] public string? Message { get; init; }
    /// <summary>Outputs.</summary>
    [Id(3)] public List<StepOutput> Outputs { get; init; } = [];
    /// <summary>The reporting node.</summary>
    [Id(4)] public string Node { get; init; } = "";
}

/// <summary>One step attempt the scheduler placed.</summary>
[GenerateSerializer]
[Alias("orch.placed-step")]
public sealed record PlacedStep([property: Id(0)] StepRef Step, [property: Id(1)] int[] Gpus,
    [property: Id(2)] List<ReplicaSlot>? Replicas = null);

/// <summary>An agent's report: a start (no <see cref="Finished"/>) or an end.</summary>
[GenerateSerializer]
[Alias("orch.agent-report")]
public sealed record AgentReport(
    [property: Id(0)] StepRef Step,
    [property: Id(1)] string Node,
    [property: Id(2)] StepReport? Finished);

/// <summary>A page of events.</summary>
[GenerateSerializer]
[Alias("orch.event-page")]
public sealed record EventPage(
    [property: Id(0)] IReadOnlyList<RunEvent> Events,
    [property: Id(1)] long Revision,
    [property: Id(2)] bool Terminal);
