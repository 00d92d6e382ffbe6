namespace Orchestrator.Storage.Redis;

/// <summary>Where the Redis stores live: one Redis server (or a StackExchange.Redis configuration string) and a key
/// prefix that keeps one cluster's keys apart from another's on the same server.</summary>
public sealed class RedisStorageOptions
{
    /// <summary>The StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>. Required.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>Prefix of every key. Default <c>orch:</c>; the server uses <c>orch:&lt;cluster id&gt;:</c>.</summary>
    public string KeyPrefix { get; set; } = "orch:";

    /// <summary>Size of one stored piece of an artifact. Default 1 MiB (Redis handles values up to 512 MiB, but big
    /// values stall its single thread while they are copied).</summary>
    public int ArtifactChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest wait of a step log follower between two looks at the log when no append notification
    /// arrives (a lost pub/sub message, a reconnect). Default 1 s.</summary>
    public TimeSpan LogFollowPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Problems with these options, each naming the setting and the fix; empty when valid.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Configuration))
            yield return "Redis configuration is empty: give the Redis server, e.g. Orchestrator:Redis=127.0.0.1:6379 (--redis 127.0.0.1:6379)";
        if (string.IsNullOrEmpty(KeyPrefix)) yield return "Redis key prefix is empty: give one, e.g. orch:";
        if (ArtifactChunkBytes is < 4096 or > 64 * 1024 * 1024)
            yield return $"ArtifactChunkBytes {ArtifactChunkBytes} is out of range 4096..67108864";
        if (LogFollowPollInterval <= TimeSpan.Zero || LogFollowPollInterval > TimeSpan.FromMinutes(1))
            yield return $"LogFollowPollInterval {LogFollowPollInterval} is out of range (0, 1 min]";
    }
}
