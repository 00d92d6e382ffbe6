using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.Tests.Support;
using static Orchestrator.Storage.Tests.AppendLogs.AppendLogTests;

namespace Orchestrator.Storage.Tests.AppendLogs;

/// <summary>Verifies that opening a damaged log cuts off a torn or corrupt tail, keeps every record before it,
/// and leaves a log that takes new writes; and that an interrupted compaction leaves the log intact.</summary>
public sealed class AppendLogRecoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogPath => _dir.Combine(AppendLog.LogFileName);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    public async Task Open_WithATornTail_CutsTheLastRecordAndKeepsTheRest(int bytesCut)
    {
        var lengthBeforeLast = await WriteThreeRecordsAsync();
        using (var file = new FileStream(LogPath, FileMode.Open))
        {
            file.SetLength(file.Length - bytesCut);
        }

        await using var log = await AppendLog.OpenAsync(_dir.Path);

        Assert.Equal("first", Text(log.TryRead("first")!.Value.Value));
        Assert.Equal("second", Text(log.TryRead("second")!.Value.Value));
        Assert.Null(log.TryRead("third"));
        Assert.Equal(lengthBeforeLast, new FileInfo(LogPath).Length);
    }

    [Fact]
    public async Task Open_WithACorruptChecksum_CutsTheLastRecordAndKeepsTheRest()
    {
        var lengthBeforeLast = await WriteThreeRecordsAsync();
        FlipByte(LogPath, new FileInfo(LogPath).Length - 2);

        await using var log = await AppendLog.OpenAsync(_dir.Path);

        Assert.Equal("second", Text(log.TryRead("second")!.Value.Value));
        Assert.Null(log.TryRead("third"));
        Assert.Equal(lengthBeforeLast, new FileInfo(LogPath).Length);
    }

    [Fact]
    public async Task Open_WithACorruptLength_CutsFromThatRecord()
    {
        var lengthBeforeLast = await WriteThreeRecordsAsync();
        // The high byte of the last record's length makes it claim gigabytes.
        FlipByte(LogPath, lengthBeforeLast + 3);

        await using var log = await AppendLog.OpenAsync(_dir.Path);

        Assert.Equal("second", Text(log.TryRead("second")!.Value.Value));
        Assert.Null(log.TryRead("third"));
    }

    [Fact]
    public async Task Open_AfterCuttingATail_TakesNewWritesThatSurviveTheNextOpen()
    {
        await WriteThreeRecordsAsync();
        using (var file = new FileStream(LogPath, FileMode.Open))
        {
            file.SetLength(file.Length - 3);
        }

        await using (var log = await AppendLog.OpenAsync(_dir.Path))
        {
            Assert.Equal(1, await log.PutAsync("third", Bytes("rewritten"), expectedVersion: 0));
        }

        await using var reopened = await AppendLog.OpenAsync(_dir.Path);
        Assert.Equal("rewritten", Text(reopened.TryRead("third")!.Value.Value));
        Assert.Equal("first", Text(reopened.TryRead("first")!.Value.Value));
    }

    [Fact]
    public async Task Open_WithTheFileOfAnInterruptedCompaction_DeletesItAndKeepsTheLog()
    {
        await WriteThreeRecordsAsync();
        var leftover = LogPath + AppendLog.CompactionSuffix;
        await File.WriteAllBytesAsync(leftover, [1, 2, 3]);

        await using var log = await AppendLog.OpenAsync(_dir.Path);

        Assert.False(File.Exists(leftover));
        Assert.Equal("third", Text(log.TryRead("third")!.Value.Value));
    }

    [Fact]
    public async Task Open_OfAnEmptyFile_IsAnEmptyLog()
    {
        await File.WriteAllBytesAsync(LogPath, []);

        await using var log = await AppendLog.OpenAsync(_dir.Path);

        Assert.Empty(log.Enumerate());
        Assert.Equal(1, await log.PutAsync("a", Bytes("a")));
    }

    /// <summary>Writes three records and returns the file length before the third.</summary>
    private async Task<long> WriteThreeRecordsAsync()
    {
        await using var log = await AppendLog.OpenAsync(_dir.Path);
        await log.PutAsync("first", Bytes("first"));
        await log.PutAsync("second", Bytes("second"));
        var lengthBeforeLast = log.FileBytes;
        await log.PutAsync("third", Bytes("third"));
        return lengthBeforeLast;
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0xFF));
    }
}
