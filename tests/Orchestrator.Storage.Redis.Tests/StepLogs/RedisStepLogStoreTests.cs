using System.Collections.Concurrent;
using System.Text;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.Redis.StepLogs;
using Orchestrator.Storage.Redis.Tests.Support;
using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.Tests.StepLogs;

/// <summary>Verifies the Redis step log store against a real redis-server: reading back in order with stream and time,
/// gang replicas apart, a non-following read ending at the current end, a follower on one connection (silo B) seeing
/// chunks appended through another (silo A) and ending at completion, appends refused after completion, and bad keys refused.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStepLogStoreTests(RedisServer redis)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly StepLogKey Train = new("run-1", "train[3]", 1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly string _prefix = RedisServer.UniquePrefix();

    private RedisStepLogStore Store => new(redis.Connection, _prefix);

    [Fact]
    public async Task Read_YieldsEveryChunkInOrder_WithItsStreamAndTime()
    {
        var store = Store;
        await store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("epoch 1\n"), T0);
        await store.AppendAsync(Train, LogStreamKind.Stderr, Bytes("warning\n"), T0.AddSeconds(1));
        await store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("epoch 2\n"), T0.AddSeconds(2));
        await store.AppendAsync(Train, LogStreamKind.Stdout, ReadOnlyMemory<byte>.Empty, T0.AddSeconds(3));

        var entries = await ReadAllAsync(store, Train, follow: false);

        Assert.Equal(
            [(LogStreamKind.Stdout, "epoch 1\n", T0), (LogStreamKind.Stderr, "warning\n", T0.AddSeconds(1)), (LogStreamKind.Stdout, "epoch 2\n", T0.AddSeconds(2))],
            entries.Select(e => (e.Stream, Text(e), e.Time)));
    }

    [Fact]
    public async Task Read_OfALongLog_CrossesReadBatches()
    {
        var store = Store;
        var count = RedisStepLogStore.ReadBatch * 2 + 7;
        for (var i = 0; i < count; i++) await store.AppendAsync(Train, LogStreamKind.Stdout, Bytes($"{i}\n"), T0);
        await store.CompleteAsync(Train);

        var entries = await ReadAllAsync(store, Train, follow: true);

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{i}\n"), entries.Select(Text));
    }

    [Fact]
    public async Task GangReplicas_EachKeepTheirOwnLog_AndCompletingOneLeavesTheOthersOpen()
    {
        var store = Store;
        var replica2 = Train with { Replica = 2 };
        await store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("rank 0\n"), T0);
        await store.AppendAsync(replica2, LogStreamKind.Stdout, Bytes("rank 2\n"), T0);

        await store.CompleteAsync(Train);
        await store.AppendAsync(replica2, LogStreamKind.Stdout, Bytes("still going\n"), T0.AddSeconds(1));

        Assert.Equal(["rank 0\n"], (await ReadAllAsync(store, Train, follow: false)).Select(Text));
        Assert.Equal(["rank 2\n", "still going\n"], (await ReadAllAsync(store, replica2, follow: false)).Select(Text));
    }

    [Fact]
    public async Task Read_WithoutFollow_EndsAtTheCurrentEnd_AndAnAbsentLogYieldsNothing()
    {
        var store = Store;
        await store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("so far"), T0);

        Assert.Equal(["so far"], (await ReadAllAsync(store, Train, follow: false)).Select(Text));
        Assert.Empty(await ReadAllAsync(store, new StepLogKey("run-9", "eval", 0), follow: false));
    }

    [Fact]
    public async Task Follow_OnAnotherSilo_SeesChunksAsTheyAreAppended_AndEndsAfterCompletion()
    {
        await using var siloB = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        // A long poll interval: only the append's signal can wake the follower within the test's bounds.
        var follower = new RedisStepLogStore(siloB, _prefix, pollInterval: TimeSpan.FromMinutes(1));
        var writer = Store;
        await writer.AppendAsync(Train, LogStreamKind.Stdout, Bytes("before\n"), T0);
        var seen = new ConcurrentQueue<string>();
        var following = Task.Run(async () =>
        {
            await foreach (var entry in follower.ReadAsync(Train, follow: true)) seen.Enqueue(Text(entry));
        });

        await Until(() => seen.Count == 1, "the follower to read what was there");
        await writer.AppendAsync(Train, LogStreamKind.Stdout, Bytes("during\n"), T0.AddSeconds(1));
        await Until(() => seen.Count == 2, "the follower to see a chunk appended on the other silo");
        Assert.False(following.IsCompleted);

        await writer.CompleteAsync(Train);
        await following.WaitAsync(Bound);

        Assert.Equal(["before\n", "during\n"], seen);
    }

    [Fact]
    public async Task Follow_EndsWhenCancelled()
    {
        var store = Store;
        using var cancel = new CancellationTokenSource();
        var following = ReadAllAsync(store, Train, follow: true, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => following.WaitAsync(Bound));
    }

    [Fact]
    public async Task Append_AfterCompletion_IsRefused_AndCompletingTwiceDoesNothing()
    {
        var store = Store;
        await store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("done\n"), T0);
        await store.CompleteAsync(Train);
        await store.CompleteAsync(Train);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("late"), T0).AsTask());

        Assert.Contains("is complete; a retry writes to a new attempt", refused.Message);
        Assert.Equal(["done\n"], (await ReadAllAsync(store, Train, follow: true)).Select(Text));
    }

    [Fact]
    public async Task BadKeysAndStreams_AreRefusedNamingTheField()
    {
        var store = Store;

        Assert.Equal("Replica", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            store.AppendAsync(Train with { Replica = -1 }, LogStreamKind.Stdout, Bytes("x"), T0).AsTask())).ParamName);
        Assert.Equal("Attempt", Assert.Throws<ArgumentOutOfRangeException>(() => store.ReadAsync(Train with { Attempt = -1 }, false)).ParamName);
        Assert.Contains("RunId is empty", Assert.Throws<ArgumentException>(() => store.ReadAsync(Train with { RunId = "" }, false)).Message);
        Assert.Contains("neither Stdout nor Stderr", (await Assert.ThrowsAsync<ArgumentException>(() =>
            store.AppendAsync(Train, (LogStreamKind)7, Bytes("x"), T0).AsTask())).Message);
    }

    private static async Task<List<LogEntry>> ReadAllAsync(RedisStepLogStore store, StepLogKey key, bool follow, CancellationToken cancellationToken = default)
    {
        var entries = new List<LogEntry>();
        await foreach (var entry in store.ReadAsync(key, follow, cancellationToken)) entries.Add(entry);
        return entries;
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(LogEntry entry) => Encoding.UTF8.GetString(entry.Data.Span);
}
