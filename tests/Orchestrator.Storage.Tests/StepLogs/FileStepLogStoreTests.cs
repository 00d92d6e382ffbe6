using System.Collections.Concurrent;
using System.Text;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.StepLogs;
using Orchestrator.Storage.Tests.Support;

namespace Orchestrator.Storage.Tests.StepLogs;

/// <summary>Verifies the file step log store: reading back, following a log while another task writes it (bounded
/// waits on conditions), completion ending followers, refusing appends after completion, the bound on open handles,
/// recovery from a torn tail, deletion, path validation of run ids and step keys, and that opening a small log stays cheap.</summary>
public sealed class FileStepLogStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly StepLogKey Train = new("run-1", "train[3]", 1);
    private readonly TempDirectory _dir = new();
    private readonly FileStepLogStore _store;

    public FileStepLogStoreTests() => _store = new FileStepLogStore(_dir.Path);

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Read_YieldsEveryChunkInOrder_WithItsStreamAndTime()
    {
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("epoch 1\n"), T0);
        await _store.AppendAsync(Train, LogStreamKind.Stderr, Bytes("warning\n"), T0.AddSeconds(1));
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("epoch 2\n"), T0.AddSeconds(2));

        var entries = await ReadAllAsync(Train, follow: false);

        Assert.Equal(
            [(LogStreamKind.Stdout, "epoch 1\n", T0), (LogStreamKind.Stderr, "warning\n", T0.AddSeconds(1)), (LogStreamKind.Stdout, "epoch 2\n", T0.AddSeconds(2))],
            entries.Select(e => (e.Stream, Text(e), e.Time)));
        Assert.True(File.Exists(_dir.Combine("logs", "run-1", "train[3]", "1.log")));
    }

    [Fact]
    public async Task GangReplicas_EachKeepTheirOwnLog_AndCompletingOneLeavesTheOthersOpen()
    {
        var replica2 = Train with { Replica = 2 };
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("rank 0\n"), T0);
        await _store.AppendAsync(replica2, LogStreamKind.Stdout, Bytes("rank 2\n"), T0);

        await _store.CompleteAsync(Train);
        await _store.AppendAsync(replica2, LogStreamKind.Stdout, Bytes("still going\n"), T0.AddSeconds(1));

        Assert.Equal(["rank 0\n"], (await ReadAllAsync(Train, follow: false)).Select(Text));
        Assert.Equal(["rank 2\n", "still going\n"], (await ReadAllAsync(replica2, follow: false)).Select(Text));
        Assert.True(File.Exists(_dir.Combine("logs", "run-1", "train[3]", "1.r2.log")));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = _store.AppendAsync(Train with { Replica = -1 }, LogStreamKind.Stdout, Bytes("x"), T0); });
    }

    [Fact]
    public async Task Read_WithoutFollow_EndsAtTheCurrentEnd_OfAnIncompleteLog()
    {
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("so far"), T0);

        var entries = await Eventually.WithinAsync(ReadAllAsync(Train, follow: false), "a non-following read to end");

        Assert.Equal(["so far"], entries.Select(Text));
    }

    [Fact]
    public async Task Read_OfALogThatDoesNotExist_YieldsNothing()
    {
        Assert.Empty(await ReadAllAsync(new StepLogKey("run-9", "eval", 0), follow: false));
    }

    [Fact]
    public async Task Follow_YieldsChunksAsTheyAreWritten_AndEndsAfterCompletion()
    {
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("before"), T0);
        var seen = new ConcurrentQueue<string>();
        var follower = FollowInto(Train, seen);

        await Eventually.TrueAsync(() => seen.Count == 1, "the follower to see the chunk written before it started");
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("during 1"), T0);
        await Eventually.TrueAsync(() => seen.Count == 2, "the follower to see a live chunk");
        await _store.AppendAsync(Train, LogStreamKind.Stderr, Bytes("during 2"), T0);
        await _store.CompleteAsync(Train);

        await Eventually.WithinAsync(follower, "the follower to end after completion");
        Assert.Equal(["before", "during 1", "during 2"], seen);
    }

    [Fact]
    public async Task Follow_OfALogNotYetCreated_WaitsForItToAppear()
    {
        var seen = new ConcurrentQueue<string>();
        var follower = FollowInto(Train, seen);

        await Eventually.TrueAsync(() => Followers(Train) == 1, "the follower to start waiting");
        Assert.False(follower.IsCompleted);
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("first"), T0);
        await Eventually.TrueAsync(() => seen.Count == 1, "the follower to see the first chunk");
        await _store.CompleteAsync(Train);

        await Eventually.WithinAsync(follower, "the follower to end after completion");
        Assert.Equal(["first"], seen);
    }

    [Fact]
    public async Task Follow_OfALogCompletedWithoutOutput_Ends()
    {
        var seen = new ConcurrentQueue<string>();
        var follower = FollowInto(Train, seen);
        await Eventually.TrueAsync(() => Followers(Train) == 1, "the follower to start waiting");

        await _store.CompleteAsync(Train);

        await Eventually.WithinAsync(follower, "the follower to end after completion");
        Assert.Empty(seen);
        Assert.Empty(await ReadAllAsync(Train, follow: true));
    }

    [Fact]
    public async Task Follow_StopsWhenCancelled()
    {
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("running"), T0);
        using var cancel = new CancellationTokenSource();
        var seen = new ConcurrentQueue<string>();
        var follower = FollowInto(Train, seen, cancel.Token);
        await Eventually.TrueAsync(() => seen.Count == 1, "the follower to see the chunk");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Eventually.WithinAsync(follower, "the follower to stop"));
        Assert.Equal(0, Followers(Train));
    }

    [Fact]
    public async Task Append_AfterCompletion_IsRefused_AlsoByANewStoreOverTheSameDirectory()
    {
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("done"), T0);
        await _store.CompleteAsync(Train);
        using var restarted = new FileStepLogStore(_dir.Path);

        var here = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("late"), T0).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => restarted.AppendAsync(Train, LogStreamKind.Stdout, Bytes("late"), T0).AsTask());
        await restarted.CompleteAsync(Train);

        Assert.Contains("complete", here.Message);
        Assert.Equal(["done"], (await ReadAllAsync(Train, follow: true)).Select(Text));
    }

    [Fact]
    public async Task ManyConcurrentSteps_KeepAtMostTheBoundOfHandlesOpen_AndLoseNothing()
    {
        using var store = new FileStepLogStore(_dir.Combine("bounded"), maxOpenFiles: 8);
        var keys = Enumerable.Range(0, 30).Select(i => new StepLogKey("run-2", $"shard[{i}]", 1)).ToList();

        await Task.WhenAll(keys.Select(key => Task.Run(async () =>
        {
            for (var line = 0; line < 20; line++)
            {
                await store.AppendAsync(key, LogStreamKind.Stdout, Bytes($"{key.StepKey} line {line}\n"), T0);
            }
        })));
        var openAfterWriting = store.OpenFiles;
        await Task.WhenAll(keys.Select(key => store.CompleteAsync(key).AsTask()));

        Assert.InRange(openAfterWriting, 1, 8);
        Assert.Equal(0, store.OpenFiles);
        foreach (var key in keys)
        {
            var lines = new List<string>();
            await foreach (var entry in store.ReadAsync(key, follow: true))
            {
                lines.Add(Text(entry));
            }

            Assert.Equal(Enumerable.Range(0, 20).Select(line => $"{key.StepKey} line {line}\n"), lines);
        }
    }

    [Fact]
    public async Task Complete_OfANewLog_AllocatesFarLessThanTheOneMebibyteScanBuffer()
    {
        // Every step attempt opens its log once: a fixed 1 MiB scan buffer per open was a large-object allocation per
        // step, which kept a loaded server in back-to-back gen2 collections.
        await _store.CompleteAsync(new StepLogKey("run-0", "warm", 1));
        var before = GC.GetAllocatedBytesForCurrentThread();

        await _store.CompleteAsync(new StepLogKey("run-1", "small", 1));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"completing a new step log allocated {allocated} bytes");
        Assert.Empty(await ReadAllAsync(new StepLogKey("run-1", "small", 1), follow: false));
    }

    [Fact]
    public async Task Append_OfAChunkLargerThanAFrame_ReadsBackWhole()
    {
        var big = new byte[(StepLogFrame.MaxChunkBytes * 2) + 17];
        new Random(7).NextBytes(big);

        await _store.AppendAsync(Train, LogStreamKind.Stdout, big, T0);
        var entries = await ReadAllAsync(Train, follow: false);

        Assert.Equal(3, entries.Count);
        Assert.Equal(big, entries.SelectMany(e => e.Data.ToArray()).ToArray());
    }

    [Fact]
    public async Task Append_AfterACrashLeftATornFrame_ContinuesAfterTheLastWholeFrame()
    {
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("whole"), T0);
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("torn by the crash"), T0);
        _store.Dispose();
        var path = _dir.Combine("logs", "run-1", "train[3]", "1.log");
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length - 4);
        }

        using var restarted = new FileStepLogStore(_dir.Path);
        await restarted.AppendAsync(Train, LogStreamKind.Stdout, Bytes("after restart"), T0);
        await restarted.CompleteAsync(Train);

        var lines = new List<string>();
        await foreach (var entry in restarted.ReadAsync(Train, follow: true))
        {
            lines.Add(Text(entry));
        }

        Assert.Equal(["whole", "after restart"], lines);
    }

    [Fact]
    public async Task DeleteRun_RemovesItsLogs_AndEndsItsFollowers()
    {
        await _store.AppendAsync(Train, LogStreamKind.Stdout, Bytes("bye"), T0);
        await _store.AppendAsync(new StepLogKey("run-keep", "train", 1), LogStreamKind.Stdout, Bytes("stays"), T0);
        var seen = new ConcurrentQueue<string>();
        var follower = FollowInto(Train, seen);
        await Eventually.TrueAsync(() => seen.Count == 1, "the follower to see the chunk");

        await _store.DeleteRunAsync("run-1");

        await Eventually.WithinAsync(follower, "the follower of a deleted run to end");
        Assert.False(Directory.Exists(_dir.Combine("logs", "run-1")));
        Assert.Empty(await ReadAllAsync(Train, follow: false));
        Assert.Single(await ReadAllAsync(new StepLogKey("run-keep", "train", 1), follow: false));
    }

    [Fact]
    public async Task Dispose_EndsFollowers()
    {
        var seen = new ConcurrentQueue<string>();
        var follower = FollowInto(Train, seen);
        await Eventually.TrueAsync(() => Followers(Train) == 1, "the follower to start waiting");

        _store.Dispose();

        await Eventually.WithinAsync(follower, "the follower to end on dispose");
    }

    [Theory]
    [InlineData("../etc", "train", "RunId")]
    [InlineData("run/1", "train", "RunId")]
    [InlineData("run\\1", "train", "RunId")]
    [InlineData("", "train", "RunId")]
    [InlineData(".", "train", "RunId")]
    [InlineData("run-1", "a/b", "StepKey")]
    [InlineData("run-1", "..", "StepKey")]
    [InlineData("run-1", "x\0y", "StepKey")]
    public async Task Paths_ThatCouldEscapeTheLogDirectory_AreRefusedNamingTheField(string runId, string stepKey, string field)
    {
        var key = new StepLogKey(runId, stepKey, 1);

        Assert.Equal(field, Assert.Throws<ArgumentException>(() => { _ = _store.AppendAsync(key, LogStreamKind.Stdout, Bytes("x"), T0); }).ParamName);
        Assert.Equal(field, Assert.Throws<ArgumentException>(() => { _ = _store.CompleteAsync(key); }).ParamName);
        Assert.Equal(field, Assert.Throws<ArgumentException>(() => _store.ReadAsync(key, follow: false)).ParamName);
        Assert.False(Directory.Exists(_dir.Combine("etc")));
        await Task.CompletedTask;
    }

    [Fact]
    public void NegativeAttempt_IsRefused()
    {
        Assert.Equal("Attempt", Assert.Throws<ArgumentOutOfRangeException>(() => _store.ReadAsync(Train with { Attempt = -1 }, follow: false)).ParamName);
    }

    private Task FollowInto(StepLogKey key, ConcurrentQueue<string> seen, CancellationToken cancellationToken = default) => Task.Run(async () =>
    {
        await foreach (var entry in _store.ReadAsync(key, follow: true, cancellationToken))
        {
            seen.Enqueue(Text(entry));
        }
    });

    private async Task<List<LogEntry>> ReadAllAsync(StepLogKey key, bool follow)
    {
        var entries = new List<LogEntry>();
        await foreach (var entry in _store.ReadAsync(key, follow))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private int Followers(StepLogKey key) => _store.FollowersOf(key);

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(LogEntry entry) => Encoding.UTF8.GetString(entry.Data.Span);
}
