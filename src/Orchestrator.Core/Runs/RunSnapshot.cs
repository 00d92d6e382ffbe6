namespace Orchestrator.Core.Runs;

/// <summary>An immutable view of a run for callers: its definition, state, steps and (optionally) events.</summary>
public sealed record RunSnapshot
{
    /// <summary>How the run was submitted.</summary>
    public required RunDefinition Definition { get; init; }
    /// <summary>Run state.</summary>
    public RunState State { get; init; }
    /// <summary>Revision of the last event.</summary>
    public long Revision { get; init; }
    /// <summary>Every parameter's value, defaults applied.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    /// <summary>When the first step was placed or cached.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it finished.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Why it failed or was cancelled.</summary>
    public string? Message { get; init; }
    /// <summary>Steps in plan order.</summary>
    public IReadOnlyList<StepSnapshot> Steps { get; init; } = [];
    /// <summary>Events, or empty when left out.</summary>
    public IReadOnlyList<RunEvent> Events { get; init; } = [];
    /// <summary>Steps per state.</summary>
    public IReadOnlyDictionary<StepState, int> StepCounts { get; init; } = new Dictionary<StepState, int>();
}

/// <summary>An immutable view of one step.</summary>
public sealed record StepSnapshot
{
    /// <summary>Step key.</summary>
    public required string Key { get; init; }
    /// <summary>Step name in the spec.</summary>
    public required string Name { get; init; }
    /// <summary>Fan-out index or -1.</summary>
    public int Index { get; init; }
    /// <summary>State.</summary>
    public StepState State { get; init; }
    /// <summary>Current attempt.</summary>
    public int Attempt { get; init; }
    /// <summary>Node of the current attempt.</summary>
    public string? Node { get; init; }
    /// <summary>GPUs of the current attempt.</summary>
    public IReadOnlyList<int> Gpus { get; init; } = [];
    /// <summary>A gang's processes: where each runs; empty for one process.</summary>
    public IReadOnlyList<ReplicaSlot> Replicas { get; init; } = [];
    /// <summary>First start.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>End.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Last message.</summary>
    public string? Message { get; init; }
    /// <summary>Outputs.</summary>
    public IReadOnlyList<StepOutput> Outputs { get; init; } = [];
    /// <summary>Attempts.</summary>
    public IReadOnlyList<AttemptRecord> Attempts { get; init; } = [];
    /// <summary>Cache key.</summary>
    public string? CacheKey { get; init; }
    /// <summary>The exit handler.</summary>
    public bool IsExitHandler { get; init; }
    /// <summary>Pending retry time.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}

/// <summary>Builds snapshots from a machine.</summary>
public static class RunSnapshots
{
    /// <summary>A snapshot of the machine's current state.</summary>
    public static RunSnapshot Capture(RunDefinition definition, RunMachine machine, bool includeEvents) => new()
    {
        Definition = definition,
        State = machine.State,
        Revision = machine.Revision,
        Parameters = machine.Plan.Parameters,
        StartedAt = machine.StartedAt,
        FinishedAt = machine.FinishedAt,
        Message = machine.Message,
        Steps = machine.Steps.Select(Capture).ToList(),
        Events = includeEvents ? machine.Events.ToList() : [],
        StepCounts = Enum.GetValues<StepState>().Where(s => machine.CountIn(s) > 0).ToDictionary(s => s, machine.CountIn),
    };

    /// <summary>A snapshot of one step.</summary>
    public static StepSnapshot Capture(StepRuntime s) => new()
    {
        Key = s.Key,
        Name = s.Plan.Name,
        Index = s.Plan.Index,
        State = s.State,
        Attempt = s.Attempt,
        Node = s.Node,
        Gpus = s.Gpus,
        Replicas = s.Replicas.Count > 1 ? s.Replicas : [],
        StartedAt = s.StartedAt,
        FinishedAt = s.FinishedAt,
        Message = s.Message,
        Outputs = s.Outputs ?? [],
        Attempts = [.. s.Attempts],
        CacheKey = s.CacheKey,
        IsExitHandler = s.Plan.Definition.IsExitHandler,
        RetryAt = s.RetryAt,
    };
}
