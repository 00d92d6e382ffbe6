using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Storage;

/// <summary>A queryable, durable index of run summaries: what list views, resumption after a restart and
/// "is this pipeline still in use" read, since grains themselves cannot be queried.</summary>
public interface IRunIndex
{
    /// <summary>Inserts or replaces a run's summary. Durable when the task completes.</summary>
    ValueTask UpsertAsync(RunSummary summary);

    /// <summary>Removes a run's summary. Durable when the task completes.</summary>
    ValueTask RemoveAsync(string runId);

    /// <summary>One run's summary, or null.</summary>
    ValueTask<RunSummary?> GetAsync(string runId);

    /// <summary>Runs matching the query, newest first, one page at a time.</summary>
    ValueTask<RunPage> QueryAsync(RunQuery query);

    /// <summary>Ids of every run not in a terminal state.</summary>
    ValueTask<IReadOnlyList<string>> ListActiveAsync();

    /// <summary>Number of non-terminal runs of one pipeline.</summary>
    ValueTask<int> CountActiveAsync(string tenant, string pipeline);

    /// <summary>Number of runs in each state that has any (for metrics); a state with none is absent.</summary>
    ValueTask<IReadOnlyDictionary<RunState, int>> CountByStateAsync();
}

/// <summary>What list views show of a run.</summary>
public sealed record RunSummary
{
    /// <summary>Run id.</summary>
    public required string Id { get; init; }
    /// <summary>Owning tenant.</summary>
    public required string Tenant { get; init; }
    /// <summary>Pipeline name.</summary>
    public required string Pipeline { get; init; }
    /// <summary>Pipeline version number, 0 until resolved.</summary>
    public int PipelineVersion { get; init; }
    /// <summary>Pipeline version digest, empty until resolved.</summary>
    public string PipelineDigest { get; init; } = "";
    /// <summary>Run state.</summary>
    public RunState State { get; init; } = RunState.Pending;
    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When its first step was placed.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it reached a terminal state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>Scheduling priority.</summary>
    public int Priority { get; init; }
    /// <summary>User labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Client idempotency key, may be empty.</summary>
    public string RequestId { get; init; } = "";
    /// <summary>Who submitted it.</summary>
    public string SubmittedBy { get; init; } = "";
    /// <summary>Last notable message (why it failed).</summary>
    public string Message { get; init; } = "";
    /// <summary>Steps per state name.</summary>
    public IReadOnlyDictionary<string, int> StepCounts { get; init; } = new Dictionary<string, int>();
    /// <summary>Revision of the run's last event when this summary was written.</summary>
    public long Revision { get; init; }
}

/// <summary>Filters and paging for <see cref="IRunIndex.QueryAsync"/>. Null or empty filters match everything.</summary>
public sealed record RunQuery
{
    /// <summary>Only this tenant.</summary>
    public string? Tenant { get; init; }
    /// <summary>Only this pipeline.</summary>
    public string? Pipeline { get; init; }
    /// <summary>Only these states.</summary>
    public IReadOnlySet<RunState>? States { get; init; }
    /// <summary>Every label here must match.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    /// <summary>At most this many results, 1..1000.</summary>
    public int PageSize { get; init; } = 50;
    /// <summary>Token from the previous page, or null for the first.</summary>
    public string? PageToken { get; init; }
}

/// <summary>One page of results.</summary>
/// <param name="Runs">Newest first.</param>
/// <param name="NextPageToken">Token for the next page, or null on the last.</param>
public sealed record RunPage(IReadOnlyList<RunSummary> Runs, string? NextPageToken);
