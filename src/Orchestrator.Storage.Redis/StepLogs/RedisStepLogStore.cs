using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orchestrator.Core.Storage;
using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.StepLogs;

/// <summary>Step logs of the Redis profile: one Redis stream per attempt (and gang replica). Followers read the stream
/// from where they are and wait for a pub/sub signal that an append sends, with a bounded poll as the fallback, so a
/// follower on one silo sees chunks appended on another at once.</summary>
public sealed class RedisStepLogStore : IStepLogStore
{
    /// <summary>Entries read per round trip.</summary>
    internal const int ReadBatch = 256;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over <paramref name="redis"/>; keys start with <paramref name="keyPrefix"/>.</summary>
    public RedisStepLogStore(IConnectionMultiplexer redis, string keyPrefix, TimeSpan? pollInterval = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        _redis = redis;
        _keys = new RedisKeys(keyPrefix);
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    /// <remarks>Fails with <see cref="InvalidOperationException"/> when the attempt's log is already complete.</remarks>
    public async ValueTask AppendAsync(StepLogKey key, LogStreamKind stream, ReadOnlyMemory<byte> data, DateTimeOffset time)
    {
        Validate(key);
        if (stream is not (LogStreamKind.Stdout or LogStreamKind.Stderr)) throw new ArgumentException($"stream {(int)stream} is neither Stdout nor Stderr.", nameof(stream));
        if (data.IsEmpty) return;

        var appended = (int)await StepLogScripts.Append.EvaluateAsync(_redis.GetDatabase(), new
        {
            done = _keys.LogDone(key),
            log = _keys.Log(key),
            signal = (string)_keys.LogSignal(key)!,
            stream = (int)stream,
            time = time.ToUnixTimeMilliseconds(),
            data = data.ToArray(),
        }).ConfigureAwait(false);
        if (appended == 0)
        {
            throw new InvalidOperationException(
                $"The log of run '{key.RunId}' step '{key.StepKey}' attempt {key.Attempt} is complete; a retry writes to a new attempt.");
        }
    }

    /// <inheritdoc/>
    /// <remarks>Completing a complete log does nothing.</remarks>
    public async ValueTask CompleteAsync(StepLogKey key)
    {
        Validate(key);
        await StepLogScripts.Complete.EvaluateAsync(_redis.GetDatabase(), new
        {
            done = _keys.LogDone(key),
            log = _keys.Log(key),
            signal = (string)_keys.LogSignal(key)!,
            time = _time.GetUtcNow().ToUnixTimeMilliseconds(),
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<LogEntry> ReadAsync(StepLogKey key, bool follow, CancellationToken cancellationToken = default)
    {
        Validate(key);
        return ReadEntriesAsync(key, follow, cancellationToken);
    }

    private async IAsyncEnumerable<LogEntry> ReadEntriesAsync(StepLogKey key, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        var log = _keys.Log(key);
        var channel = _keys.LogSignal(key);
        var subscriber = _redis.GetSubscriber();
        // One pending signal is enough: it only says "look again".
        var signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnSignal(RedisChannel _, RedisValue __) => signals.Writer.TryWrite(true);
        // Subscribe before the first read, so an append between the read and the wait still wakes this reader.
        if (follow) await subscriber.SubscribeAsync(channel, OnSignal).ConfigureAwait(false);
        try
        {
            RedisValue from = "-";
            while (true)
            {
                var entries = await db.StreamRangeAsync(log, from, "+", ReadBatch).ConfigureAwait(false);
                foreach (var entry in entries)
                {
                    if (!entry["end"].IsNull) yield break;
                    yield return new LogEntry(
                        (LogStreamKind)(int)entry["s"],
                        (byte[])entry["d"]!,
                        DateTimeOffset.FromUnixTimeMilliseconds((long)entry["t"]));
                }

                if (entries.Length > 0) from = "(" + entries[^1].Id;
                if (entries.Length == ReadBatch) continue;
                if (!follow) yield break;

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(_pollInterval);
                try
                {
                    await signals.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The poll interval passed without a signal: look again anyway.
                }

                signals.Reader.TryRead(out _);
            }
        }
        finally
        {
            if (follow) await subscriber.UnsubscribeAsync(channel, OnSignal).ConfigureAwait(false);
        }
    }

    private static void Validate(StepLogKey key)
    {
        if (string.IsNullOrEmpty(key.RunId)) throw new ArgumentException("RunId is empty; a step log needs a run id and a step key.", nameof(key));
        if (string.IsNullOrEmpty(key.StepKey)) throw new ArgumentException("StepKey is empty; a step log needs a run id and a step key.", nameof(key));
        if (key.Attempt < 0) throw new ArgumentOutOfRangeException(nameof(StepLogKey.Attempt), key.Attempt, "Attempt must be 0 or more.");
        if (key.Replica < 0) throw new ArgumentOutOfRangeException(nameof(StepLogKey.Replica), key.Replica, "Replica must be 0 or more.");
    }
}
