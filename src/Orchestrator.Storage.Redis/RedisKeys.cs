using Orchestrator.Core.Storage;
using StackExchange.Redis;

namespace Orchestrator.Storage.Redis;

/// <summary>Every key name the Redis stores use, in one place (docs/cluster.md lists them).</summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>The prefix every key starts with.</summary>
    public string Prefix { get; } = prefix;

    /// <summary>Hash of one run's summary: <c>json</c>, <c>member</c>, <c>tenant</c>, <c>pipeline</c>, <c>state</c>, <c>active</c>, <c>rev</c>.</summary>
    public RedisKey Run(string runId) => $"{Prefix}run:{runId}";

    /// <summary>Sorted set (all scores 0, ordered by member) of every run: members are RunIndex.RunOrder texts.</summary>
    public RedisKey RunsAll => $"{Prefix}runs:all";

    /// <summary>Sorted set of one tenant's runs.</summary>
    public RedisKey RunsOfTenant(string tenant) => $"{Prefix}runs:tenant:{tenant}";

    /// <summary>Set of the ids of runs not in a terminal state.</summary>
    public RedisKey RunsActive => $"{Prefix}runs:active";

    /// <summary>Hash: <c>tenant\npipeline</c> to the number of its active runs.</summary>
    public RedisKey RunsActiveByPipeline => $"{Prefix}runs:active-by-pipeline";

    /// <summary>Hash: state name to the number of runs in it.</summary>
    public RedisKey RunsByState => $"{Prefix}runs:by-state";

    /// <summary>Stream of one attempt's log chunks; the last entry of a complete log has the field <c>end</c>.</summary>
    public RedisKey Log(StepLogKey key) => $"{Prefix}log:{key.RunId}:{key.StepKey}:{key.Attempt}:{key.Replica}";

    /// <summary>Marker that an attempt's log is complete (appends are refused from then on).</summary>
    public RedisKey LogDone(StepLogKey key) => $"{Prefix}log-done:{key.RunId}:{key.StepKey}:{key.Attempt}:{key.Replica}";

    /// <summary>Pub/sub channel that wakes followers of one attempt's log.</summary>
    public RedisChannel LogSignal(StepLogKey key) => RedisChannel.Literal($"{Prefix}log-signal:{key.RunId}:{key.StepKey}:{key.Attempt}:{key.Replica}");

    /// <summary>Hash of a stored artifact: <c>size</c>, <c>chunks</c>. Written last, so it exists only for complete content.</summary>
    public RedisKey Artifact(string digest) => $"{Prefix}artifact:{digest}";

    /// <summary>One piece of a stored artifact's content.</summary>
    public RedisKey ArtifactChunk(string digest, long index) => $"{Prefix}artifact:{digest}:{index}";

    /// <summary>One piece of an upload whose digest is not known yet (expires when the upload is abandoned).</summary>
    public RedisKey UploadChunk(string upload, long index) => $"{Prefix}upload:{upload}:{index}";
}
