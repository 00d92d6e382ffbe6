using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.AppendLogs;

namespace Orchestrator.Storage.RunIndex;

/// <summary>The run index of the embedded default: summaries durable in their own <see cref="AppendLog"/> under
/// <c>&lt;data directory&gt;/runs/</c>, and held in memory in list order with per-pipeline active counters.</summary>
public sealed partial class FileRunIndex : IRunIndex, IAsyncDisposable
{
    /// <summary>The index's directory under the data directory.</summary>
    public const string DirectoryName = "runs";

    /// <summary>Page size when the query asks for 0.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Largest page; larger requests are clamped to it.</summary>
    public const int MaxPageSize = 1000;

    private readonly string _dataDirectory;
    private readonly AppendLogOptions _logOptions;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IndexedRun> _runs = new(StringComparer.Ordinal);
    private readonly SortedSet<RunSortKey> _order = new(RunSortKey.NewestFirst);
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Tenant, string Pipeline), int> _activeByPipeline = [];
    private readonly Dictionary<RunState, int> _byState = [];
    private AppendLog? _log;

    /// <summary>Creates an index over <paramref name="dataDirectory"/>; call <see cref="OpenAsync(CancellationToken)"/> before use.</summary>
    public FileRunIndex(string dataDirectory, AppendLogOptions? logOptions = null, ILogger<FileRunIndex>? logger = null)
    {
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            throw new ArgumentException("The data directory is empty; give the directory the server keeps its data in.", nameof(dataDirectory));
        }

        _dataDirectory = dataDirectory;
        _logOptions = logOptions ?? AppendLogOptions.Default;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Creates and opens an index over <paramref name="dataDirectory"/>.</summary>
    public static async Task<FileRunIndex> OpenAsync(string dataDirectory, AppendLogOptions? logOptions = null, ILogger<FileRunIndex>? logger = null)
    {
        var index = new FileRunIndex(dataDirectory, logOptions, logger);
        await index.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        return index;
    }

    /// <summary>Opens the log and loads every stored summary into memory.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var log = await AppendLog.OpenAsync(Path.Combine(_dataDirectory, DirectoryName), _logOptions, _logger).ConfigureAwait(false);
        var loaded = 0;
        lock (_gate)
        {
            foreach (var entry in log.Enumerate())
            {
                RunSummary summary;
                try
                {
                    summary = RunSummaryJson.Deserialize(entry.Value);
                }
                catch (System.Text.Json.JsonException e)
                {
                    // One unreadable summary must not keep the server from starting; the run's grain still has its state.
                    LogUnreadableSummary(_logger, entry.Key, e);
                    continue;
                }

                Apply(entry.Key, summary, entry.Version);
                loaded++;
            }

            _log = log;
            LogLoaded(_logger, loaded, _active.Count);
        }
    }

    /// <inheritdoc/>
    public async ValueTask UpsertAsync(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (string.IsNullOrWhiteSpace(summary.Id))
        {
            throw new ArgumentException("The run summary has no Id; every run has an id.", nameof(summary));
        }

        if (summary.Tenant is null || summary.Pipeline is null)
        {
            throw new ArgumentException($"Run summary '{summary.Id}' has no Tenant or Pipeline.", nameof(summary));
        }

        var version = await Log.PutAsync(summary.Id, RunSummaryJson.Serialize(summary)).ConfigureAwait(false);
        lock (_gate)
        {
            Apply(summary.Id, summary, version);
        }
    }

    /// <inheritdoc/>
    public async ValueTask RemoveAsync(string runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var version = await Log.DeleteAsync(runId).ConfigureAwait(false);
        lock (_gate)
        {
            Apply(runId, null, version);
        }
    }

    /// <inheritdoc/>
    public ValueTask<RunSummary?> GetAsync(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        _ = Log;
        lock (_gate)
        {
            return ValueTask.FromResult(_runs.TryGetValue(runId, out var run) ? run.Summary : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<RunPage> QueryAsync(RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        _ = Log;
        var pageSize = query.PageSize switch
        {
            0 => DefaultPageSize,
            < 0 => throw new ArgumentException($"page_size must be 0 (the default, {DefaultPageSize}) to {MaxPageSize}; it is {query.PageSize}.", nameof(query)),
            > MaxPageSize => MaxPageSize,
            var size => size,
        };
        RunSortKey? after = string.IsNullOrEmpty(query.PageToken) ? null : RunSortKey.FromPageToken(query.PageToken);
        var page = new List<RunSummary>(Math.Min(pageSize, 64));
        var more = false;
        lock (_gate)
        {
            // Resuming from a key rather than an offset keeps pages stable: newer runs sort before the token and never shift later pages.
            var candidates = after is { } start ? _order.GetViewBetween(start, RunSortKey.Last) : _order;
            foreach (var key in candidates)
            {
                if (key == after)
                {
                    continue;
                }

                var summary = _runs[key.Id].Summary!;
                if (!Matches(summary, query))
                {
                    continue;
                }

                if (page.Count == pageSize)
                {
                    more = true;
                    break;
                }

                page.Add(summary);
            }
        }

        var next = more ? RunSortKey.For(page[^1].Id, page[^1].CreatedAt).ToPageToken() : null;
        return ValueTask.FromResult(new RunPage(page, next));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListActiveAsync()
    {
        _ = Log;
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. _active]);
        }
    }

    /// <inheritdoc/>
    public ValueTask<int> CountActiveAsync(string tenant, string pipeline)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(pipeline);
        _ = Log;
        lock (_gate)
        {
            return ValueTask.FromResult(_activeByPipeline.GetValueOrDefault((tenant, pipeline)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyDictionary<RunState, int>> CountByStateAsync()
    {
        _ = Log;
        lock (_gate)
        {
            // States whose runs all moved on are left out, as the interface says.
            return ValueTask.FromResult<IReadOnlyDictionary<RunState, int>>(_byState.Where(s => s.Value > 0).ToDictionary());
        }
    }

    /// <summary>Flushes and closes the log.</summary>
    public async ValueTask DisposeAsync()
    {
        AppendLog? log;
        lock (_gate)
        {
            log = _log;
            _log = null;
        }

        if (log is not null)
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }
    }

    private AppendLog Log => _log ?? throw new InvalidOperationException(
        $"The run index over '{_dataDirectory}' is not open; call OpenAsync first (the silo does it at start).");

    /// <summary>Applies a stored change to memory unless a later one is already there: concurrent upserts of one run
    /// are written in queue order, but their awaits may resume in any order.</summary>
    private void Apply(string id, RunSummary? summary, long version)
    {
        var known = _runs.TryGetValue(id, out var current);
        if ((known && current.Version >= version) || (!known && summary is null))
        {
            return;
        }

        if (current.Summary is { } previous)
        {
            _order.Remove(RunSortKey.For(previous.Id, previous.CreatedAt));
            _byState[previous.State] = _byState.GetValueOrDefault(previous.State) - 1;
            if (!previous.State.IsTerminal())
            {
                ChangeActive(previous, -1);
            }
        }

        // A removed run keeps its version here so that an older upsert resuming late cannot bring it back.
        _runs[id] = new IndexedRun(summary, version);
        if (summary is not null)
        {
            _order.Add(RunSortKey.For(summary.Id, summary.CreatedAt));
            _byState[summary.State] = _byState.GetValueOrDefault(summary.State) + 1;
            if (!summary.State.IsTerminal())
            {
                ChangeActive(summary, +1);
            }
        }
    }

    private void ChangeActive(RunSummary run, int delta)
    {
        var key = (run.Tenant, run.Pipeline);
        var count = _activeByPipeline.GetValueOrDefault(key) + delta;
        if (count == 0)
        {
            _activeByPipeline.Remove(key);
        }
        else
        {
            _activeByPipeline[key] = count;
        }

        if (delta > 0)
        {
            _active.Add(run.Id);
        }
        else
        {
            _active.Remove(run.Id);
        }
    }

    private static bool Matches(RunSummary run, RunQuery query)
    {
        if (!string.IsNullOrEmpty(query.Tenant) && run.Tenant != query.Tenant)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(query.Pipeline) && run.Pipeline != query.Pipeline)
        {
            return false;
        }

        if (query.States is { Count: > 0 } states && !states.Contains(run.State))
        {
            return false;
        }

        if (query.Labels is { Count: > 0 } labels)
        {
            foreach (var (name, value) in labels)
            {
                if (!run.Labels.TryGetValue(name, out var actual) || actual != value)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>A run's latest summary (null once removed) and the log version it came from.</summary>
    private readonly record struct IndexedRun(RunSummary? Summary, long Version);
}
