using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.Tests.Support;
using static Orchestrator.Storage.Tests.AppendLogs.AppendLogTests;

namespace Orchestrator.Storage.Tests.AppendLogs;

/// <summary>Verifies that compaction shrinks the log, keeps the latest value and version of every key, drops deleted
/// keys (keeping their versions), and that readers running meanwhile always see a current value.</summary>
public sealed class AppendLogCompactionTests : IDisposable
{
    private static readonly AppendLogOptions SmallLog = new() { CompactionThresholdBytes = 4096, Durability = Durability.None };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Compaction_KeepsTheLatestValueOfEveryKey_DropsDeletedKeys_AndShrinksTheFile()
    {
        long bytesWritten;
        await using (var log = await AppendLog.OpenAsync(_dir.Path, SmallLog))
        {
            for (var round = 1; round <= 50; round++)
            {
                for (var k = 0; k < 20; k++)
                {
                    await log.PutAsync($"key/{k}", Bytes($"key {k} round {round} {new string('x', 100)}"));
                }
            }

            for (var k = 15; k < 20; k++)
            {
                await log.DeleteAsync($"key/{k}");
            }

            Assert.True(log.Compactions > 0, "no compaction ran");
            bytesWritten = 50L * 20 * 140;
            Assert.True(log.FileBytes < bytesWritten / 5, $"the log is {log.FileBytes} bytes after compaction");
            Assert.Equal(log.FileBytes, new FileInfo(_dir.Combine(AppendLog.LogFileName)).Length);
            AssertLatestValues(log);
        }

        await using var reopened = await AppendLog.OpenAsync(_dir.Path, SmallLog);
        AssertLatestValues(reopened);
        // Deleted keys keep their version through compaction: a re-created key continues after the tombstone.
        Assert.Equal(52, await reopened.PutAsync("key/19", Bytes("again"), expectedVersion: 0));
    }

    [Fact]
    public async Task Open_OfALogWithMostlyGarbage_CompactsIt()
    {
        await using (var log = await AppendLog.OpenAsync(_dir.Path, new AppendLogOptions { Durability = Durability.None }))
        {
            for (var round = 0; round < 100; round++)
            {
                await log.PutAsync("only", Bytes($"round {round} {new string('y', 100)}"));
            }
        }

        var before = new FileInfo(_dir.Combine(AppendLog.LogFileName)).Length;

        await using var reopened = await AppendLog.OpenAsync(_dir.Path, SmallLog);

        Assert.Equal(1, reopened.Compactions);
        Assert.True(new FileInfo(_dir.Combine(AppendLog.LogFileName)).Length < before / 50);
        Assert.StartsWith("round 99 ", Text(reopened.TryRead("only")!.Value.Value));
        Assert.Equal(100, reopened.TryRead("only")!.Value.Version);
    }

    [Fact]
    public async Task Readers_DuringCompactions_AlwaysSeeAValueOfTheirKey()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path, SmallLog);
        for (var k = 0; k < 10; k++)
        {
            await log.PutAsync($"key/{k}", Bytes($"key/{k} v0"));
        }

        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                var key = $"key/{reads % 10}";
                var value = Text(log.TryRead(key)!.Value.Value);
                Assert.StartsWith(key + " v", value);
                reads++;
            }

            return reads;
        })).ToList();

        for (var round = 1; round <= 300; round++)
        {
            await log.PutAsync($"key/{round % 10}", Bytes($"key/{round % 10} v{round} {new string('z', 200)}"));
        }

        await stop.CancelAsync();
        var counts = await Task.WhenAll(readers);
        Assert.True(log.Compactions >= 3, $"only {log.Compactions} compactions ran");
        Assert.All(counts, count => Assert.True(count > 0));
    }

    private static void AssertLatestValues(AppendLog log)
    {
        for (var k = 0; k < 15; k++)
        {
            var stored = log.TryRead($"key/{k}");
            Assert.StartsWith($"key {k} round 50 ", Text(stored!.Value.Value));
            Assert.Equal(50, stored.Value.Version);
        }

        for (var k = 15; k < 20; k++)
        {
            Assert.Null(log.TryRead($"key/{k}"));
        }

        Assert.Equal(15, log.Enumerate("key/").Count());
    }
}
