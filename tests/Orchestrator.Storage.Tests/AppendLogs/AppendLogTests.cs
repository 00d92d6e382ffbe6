using System.Text;
using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.Tests.Support;

namespace Orchestrator.Storage.Tests.AppendLogs;

/// <summary>Verifies the append log's put/read/delete and version semantics, conditional writes, and that
/// everything written is there after a reopen.</summary>
public sealed class AppendLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Put_ThenRead_ReturnsTheValueAtVersionOne()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);

        var version = await log.PutAsync("a", Bytes("hello"));

        Assert.Equal(1, version);
        var stored = log.TryRead("a");
        Assert.NotNull(stored);
        Assert.Equal("hello", Text(stored.Value.Value));
        Assert.Equal(1, stored.Value.Version);
    }

    [Fact]
    public async Task Read_OfAnUnknownKey_IsNull()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);

        Assert.Null(log.TryRead("nothing"));
    }

    [Fact]
    public async Task Put_Again_IncrementsTheVersionAndReplacesTheValue()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);

        await log.PutAsync("a", Bytes("one"));
        var second = await log.PutAsync("a", Bytes("two"));

        Assert.Equal(2, second);
        Assert.Equal("two", Text(log.TryRead("a")!.Value.Value));
    }

    [Fact]
    public async Task Delete_RemovesTheKey_AndARecreatedKeyContinuesFromTheOldVersion()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);
        await log.PutAsync("a", Bytes("one"));

        var deleted = await log.DeleteAsync("a");
        Assert.Null(log.TryRead("a"));
        var recreated = await log.PutAsync("a", Bytes("again"), expectedVersion: 0);

        Assert.Equal(2, deleted);
        Assert.Equal(3, recreated);
        Assert.Equal(3, log.TryRead("a")!.Value.Version);
    }

    [Fact]
    public async Task Delete_OfAnAbsentKey_WritesNothing()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);
        var before = new FileInfo(_dir.Combine(AppendLog.LogFileName)).Length;

        var version = await log.DeleteAsync("never", expectedVersion: 0);

        Assert.Equal(0, version);
        Assert.Equal(before, new FileInfo(_dir.Combine(AppendLog.LogFileName)).Length);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(2L)]
    public async Task Put_WithAnotherExpectedVersion_IsRefusedAndWritesNothing(long expected)
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);
        await log.PutAsync("a", Bytes("kept"));
        var before = new FileInfo(_dir.Combine(AppendLog.LogFileName)).Length;

        var conflict = await Assert.ThrowsAsync<VersionConflictException>(() => log.PutAsync("a", Bytes("lost"), expected));

        Assert.Equal("a", conflict.Key);
        Assert.Equal(expected, conflict.ExpectedVersion);
        Assert.Equal(1, conflict.ActualVersion);
        Assert.Equal("kept", Text(log.TryRead("a")!.Value.Value));
        Assert.Equal(before, new FileInfo(_dir.Combine(AppendLog.LogFileName)).Length);
    }

    [Fact]
    public async Task Put_ExpectingAVersionOfAnAbsentKey_IsRefused()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);

        var conflict = await Assert.ThrowsAsync<VersionConflictException>(() => log.PutAsync("a", Bytes("x"), expectedVersion: 1));

        Assert.Equal(0, conflict.ActualVersion);
        Assert.Null(log.TryRead("a"));
    }

    [Fact]
    public async Task Delete_WithAStaleVersion_IsRefusedAndTheValueStays()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);
        await log.PutAsync("a", Bytes("one"));
        await log.PutAsync("a", Bytes("two"));

        await Assert.ThrowsAsync<VersionConflictException>(() => log.DeleteAsync("a", expectedVersion: 1));

        Assert.Equal("two", Text(log.TryRead("a")!.Value.Value));
    }

    [Fact]
    public async Task ConditionalPuts_InOneBatch_SeeTheWritesQueuedBeforeThem()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);

        // Issued without awaiting, so they land in the same batch: only the first "must not exist" can win.
        var first = log.PutAsync("a", Bytes("first"), expectedVersion: 0);
        var second = log.PutAsync("a", Bytes("second"), expectedVersion: 0);
        var third = log.PutAsync("a", Bytes("third"), expectedVersion: 1);

        Assert.Equal(1, await first);
        await Assert.ThrowsAsync<VersionConflictException>(() => second);
        Assert.Equal(2, await third);
        Assert.Equal("third", Text(log.TryRead("a")!.Value.Value));
    }

    [Fact]
    public async Task Reopen_RecoversValuesVersionsAndDeletions()
    {
        await using (var log = await AppendLog.OpenAsync(_dir.Path))
        {
            await log.PutAsync("a", Bytes("a1"));
            await log.PutAsync("a", Bytes("a2"));
            await log.PutAsync("b", Bytes("b1"));
            await log.DeleteAsync("b");
            await log.PutAsync("c", ReadOnlyMemory<byte>.Empty);
        }

        await using var reopened = await AppendLog.OpenAsync(_dir.Path);

        Assert.Equal(("a2", 2L), (Text(reopened.TryRead("a")!.Value.Value), reopened.TryRead("a")!.Value.Version));
        Assert.Null(reopened.TryRead("b"));
        Assert.Empty(reopened.TryRead("c")!.Value.Value);
        Assert.Equal(3, await reopened.PutAsync("b", Bytes("b again"), expectedVersion: 0));
    }

    [Fact]
    public async Task Enumerate_YieldsLiveKeysWithThePrefix_InKeyOrder()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);
        await log.PutAsync("run/2", Bytes("two"));
        await log.PutAsync("run/1", Bytes("one"));
        await log.PutAsync("run/3", Bytes("three"));
        await log.PutAsync("other/1", Bytes("other"));
        await log.DeleteAsync("run/3");

        var entries = log.Enumerate("run/").ToList();

        Assert.Equal(["run/1", "run/2"], entries.Select(e => e.Key));
        Assert.Equal(["one", "two"], entries.Select(e => Text(e.Value)));
        Assert.Equal(4, log.Enumerate().Count() + 1);
    }

    [Fact]
    public async Task ConcurrentPuts_AllArePresentAfterReopen_WithTheirVersions()
    {
        const int SingleKeys = 1_000;
        const int SharedKeys = 100;
        const int PutsPerSharedKey = 10;
        var lastValueOfSharedKey = new string[SharedKeys];
        await using (var log = await AppendLog.OpenAsync(_dir.Path))
        {
            var singles = Enumerable.Range(0, SingleKeys)
                .Select(i => Task.Run(() => log.PutAsync($"single/{i}", Bytes($"value {i}"))));
            var shared = Enumerable.Range(0, SharedKeys * PutsPerSharedKey)
                .Select(i => Task.Run(async () => (Key: i % SharedKeys, Value: $"put {i}", Version: await log.PutAsync($"shared/{i % SharedKeys}", Bytes($"put {i}")))))
                .ToList();

            Assert.All(await Task.WhenAll(singles), version => Assert.Equal(1, version));
            foreach (var group in (await Task.WhenAll(shared)).GroupBy(put => put.Key))
            {
                // Every put of one key got its own version: the writer applied them one after another.
                Assert.Equal(Enumerable.Range(1, PutsPerSharedKey).Select(v => (long)v), group.Select(put => put.Version).Order());
                lastValueOfSharedKey[group.Key] = group.Single(put => put.Version == PutsPerSharedKey).Value;
            }
        }

        await using var reopened = await AppendLog.OpenAsync(_dir.Path);
        for (var i = 0; i < SingleKeys; i++)
        {
            var stored = reopened.TryRead($"single/{i}");
            Assert.Equal(($"value {i}", 1L), (Text(stored!.Value.Value), stored.Value.Version));
        }

        for (var k = 0; k < SharedKeys; k++)
        {
            var stored = reopened.TryRead($"shared/{k}");
            Assert.Equal((lastValueOfSharedKey[k], (long)PutsPerSharedKey), (Text(stored!.Value.Value), stored.Value.Version));
        }
    }

    [Fact]
    public async Task BadArguments_AreRefusedWithTheFieldNamed()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);

        Assert.Equal("key", Assert.Throws<ArgumentException>(() => { _ = log.PutAsync("", Bytes("x")); }).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => { _ = log.PutAsync("bad\ud800", Bytes("x")); }).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => { _ = log.PutAsync(new string('k', 70_000), Bytes("x")); }).ParamName);
        Assert.Equal("expectedVersion", Assert.Throws<ArgumentOutOfRangeException>(() => { _ = log.PutAsync("a", Bytes("x"), -2); }).ParamName);
        Assert.Equal("directory", (await Assert.ThrowsAsync<ArgumentException>(() => AppendLog.OpenAsync(" "))).ParamName);
        Assert.Equal("CompactionThresholdBytes", (await Assert.ThrowsAsync<ArgumentException>(
            () => AppendLog.OpenAsync(_dir.Combine("other"), new AppendLogOptions { CompactionThresholdBytes = 0 }))).ParamName);
    }

    [Fact]
    public async Task Writes_AfterDispose_AreRefused_AndQueuedWritesAreFlushedByIt()
    {
        var log = await AppendLog.OpenAsync(_dir.Path);
        var queued = log.PutAsync("a", Bytes("queued"));

        await log.DisposeAsync();

        Assert.Equal(1, await queued);
        Assert.Throws<ObjectDisposedException>(() => { _ = log.PutAsync("b", Bytes("late")); });
        Assert.Throws<ObjectDisposedException>(() => log.TryRead("a"));
        await using var reopened = await AppendLog.OpenAsync(_dir.Path);
        Assert.Equal("queued", Text(reopened.TryRead("a")!.Value.Value));
    }

    internal static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    internal static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
