using Microsoft.Extensions.Logging;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>The log's log messages, in one place.</summary>
public sealed partial class AppendLog
{
    [LoggerMessage(1, LogLevel.Information, "Opened log {Path}: {Keys} keys, {Bytes} bytes")]
    private static partial void LogOpened(ILogger logger, string path, int keys, long bytes);

    [LoggerMessage(2, LogLevel.Warning, "Log {Path}: cut off {Bytes} bytes at offset {Offset} ({Problem}); the records before it are intact")]
    private static partial void LogTailTruncated(ILogger logger, string path, long offset, long bytes, string problem);

    [LoggerMessage(3, LogLevel.Information, "Compacted log {Path} from {Before} to {After} bytes ({Keys} keys)")]
    private static partial void LogCompacted(ILogger logger, string path, long before, long after, int keys);

    [LoggerMessage(4, LogLevel.Error, "Compaction of log {Path} failed; the log stays as it is")]
    private static partial void LogCompactionFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "A write to log {Path} failed; its batch was refused and rolled back")]
    private static partial void LogWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(6, LogLevel.Critical, "Log {Path} could not be rolled back after a failed write and refuses further writes")]
    private static partial void LogLogUnusable(ILogger logger, string path, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "The writer of log {Path} failed")]
    private static partial void LogWriterFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Removed the file of an interrupted compaction: {Path}")]
    private static partial void LogStaleCompactionRemoved(ILogger logger, string path);
}
