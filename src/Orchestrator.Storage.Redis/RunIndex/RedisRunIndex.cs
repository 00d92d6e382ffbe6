using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.RunIndex;

/// <summary>The run index of the Redis profile: each summary in a hash, list order in sorted sets (all runs and per
/// tenant), active runs in a set and counters in hashes, all changed together by one Lua script per write. Every silo
/// reads the same index, so any gateway lists any run.</summary>
public sealed class RedisRunIndex : IRunIndex
{
    /// <summary>Page size when the query asks for 0.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Largest page; larger requests are clamped to it.</summary>
    public const int MaxPageSize = 1000;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;

    /// <summary>Creates an index over <paramref name="redis"/> whose keys start with <paramref name="keyPrefix"/>.</summary>
    public RedisRunIndex(IConnectionMultiplexer redis, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        _redis = redis;
        _keys = new RedisKeys(keyPrefix);
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <inheritdoc/>
    /// <remarks>A summary older (by <see cref="RunSummary.Revision"/>) than the stored one is ignored.</remarks>
    public async ValueTask UpsertAsync(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (string.IsNullOrWhiteSpace(summary.Id)) throw new ArgumentException("The run summary has no Id; every run has an id.", nameof(summary));
        if (summary.Tenant is null || summary.Pipeline is null) throw new ArgumentException($"Run summary '{summary.Id}' has no Tenant or Pipeline.", nameof(summary));

        await RunIndexScripts.Upsert.EvaluateAsync(Db, new
        {
            prefix = _keys.Prefix,
            id = summary.Id,
            json = RunSummaryJson.Serialize(summary),
            member = RunOrder.Member(summary.Id, summary.CreatedAt),
            tenant = summary.Tenant,
            pipeline = summary.Pipeline,
            state = summary.State.ToString(),
            active = summary.State.IsTerminal() ? "0" : "1",
            rev = summary.Revision,
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask RemoveAsync(string runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        await RunIndexScripts.Remove.EvaluateAsync(Db, new { prefix = _keys.Prefix, id = runId }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<RunSummary?> GetAsync(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var json = await Db.HashGetAsync(_keys.Run(runId), "json").ConfigureAwait(false);
        return json.IsNull ? null : RunSummaryJson.Deserialize((byte[])json!);
    }

    /// <inheritdoc/>
    public async ValueTask<RunPage> QueryAsync(RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var pageSize = query.PageSize switch
        {
            0 => DefaultPageSize,
            < 0 => throw new ArgumentException($"page_size must be 0 (the default, {DefaultPageSize}) to {MaxPageSize}; it is {query.PageSize}.", nameof(query)),
            > MaxPageSize => MaxPageSize,
            var size => size,
        };
        var after = string.IsNullOrEmpty(query.PageToken) ? null : RunOrder.FromPageToken(query.PageToken);
        var order = string.IsNullOrEmpty(query.Tenant) ? _keys.RunsAll : _keys.RunsOfTenant(query.Tenant);
        var db = Db;
        var page = new List<(RunSummary Run, string Member)>(Math.Min(pageSize, 64));
        // Read the order in batches from the resume point; filters other than the tenant are applied here, as the
        // file index does in memory. Resuming from a member rather than an offset keeps pages stable while runs arrive.
        var start = after is null ? "+" : "(" + after;
        var batch = Math.Clamp(pageSize + 1, 16, 500);
        while (true)
        {
            var members = (RedisValue[]?)await db.ExecuteAsync("ZREVRANGEBYLEX", order, start, "-", "LIMIT", 0, batch).ConfigureAwait(false) ?? [];
            if (members.Length == 0) break;

            var reads = members.Select(m => db.HashGetAsync(_keys.Run(IdOf(m!)), "json")).ToArray();
            var jsons = await Task.WhenAll(reads).ConfigureAwait(false);
            for (var i = 0; i < members.Length; i++)
            {
                // A run removed between the two reads has no summary any more: it is simply not listed.
                if (jsons[i].IsNull) continue;
                var summary = RunSummaryJson.Deserialize((byte[])jsons[i]!);
                if (!Matches(summary, query)) continue;
                if (page.Count == pageSize) return new RunPage([.. page.Select(p => p.Run)], RunOrder.ToPageToken(page[^1].Member));
                page.Add((summary, members[i]!));
            }

            if (members.Length < batch) break;
            start = "(" + members[^1];
        }

        return new RunPage([.. page.Select(p => p.Run)], null);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> ListActiveAsync()
    {
        var ids = await Db.SetMembersAsync(_keys.RunsActive).ConfigureAwait(false);
        return [.. ids.Select(id => (string)id!)];
    }

    /// <inheritdoc/>
    public async ValueTask<int> CountActiveAsync(string tenant, string pipeline)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(pipeline);
        var count = await Db.HashGetAsync(_keys.RunsActiveByPipeline, tenant + "\n" + pipeline).ConfigureAwait(false);
        return count.IsNull ? 0 : (int)count;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyDictionary<RunState, int>> CountByStateAsync()
    {
        var entries = await Db.HashGetAllAsync(_keys.RunsByState).ConfigureAwait(false);
        var counts = new Dictionary<RunState, int>();
        foreach (var entry in entries)
        {
            // A state this version does not know (written by a newer server) is left out rather than failing metrics.
            if (Enum.TryParse<RunState>(entry.Name!, out var state)) counts[state] = (int)entry.Value;
        }

        return counts;
    }

    private static string IdOf(string member) => member[20..];

    private static bool Matches(RunSummary run, RunQuery query)
    {
        if (!string.IsNullOrEmpty(query.Tenant) && run.Tenant != query.Tenant) return false;
        if (!string.IsNullOrEmpty(query.Pipeline) && run.Pipeline != query.Pipeline) return false;
        if (query.States is { Count: > 0 } states && !states.Contains(run.State)) return false;
        if (query.Labels is { Count: > 0 } labels)
        {
            foreach (var (name, value) in labels)
            {
                if (!run.Labels.TryGetValue(name, out var actual) || actual != value) return false;
            }
        }

        return true;
    }
}
