using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>Opening a log: the directory lock, the scan that rebuilds the index, and cutting off a bad tail.</summary>
public sealed partial class AppendLog
{
    private void Recover()
    {
        System.IO.Directory.CreateDirectory(_directory);
        _lockFile = AcquireDirectoryLock();

        var compactionPath = _logPath + CompactionSuffix;
        if (File.Exists(compactionPath))
        {
            // A compaction was interrupted before its rename: the log itself is intact.
            File.Delete(compactionPath);
            LogStaleCompactionRemoved(_logger, compactionPath);
        }

        var created = !File.Exists(_logPath);
        var file = File.OpenHandle(_logPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            if (created)
            {
                DirectorySync.Flush(_directory);
            }

            var index = new ConcurrentDictionary<string, IndexEntry>(StringComparer.Ordinal);
            var length = RandomAccess.GetLength(file);
            var (validLength, problem) = Scan(file, length, index);
            if (validLength < length)
            {
                LogTailTruncated(_logger, _logPath, validLength, length - validLength, problem ?? "incomplete record");
                RandomAccess.SetLength(file, validLength);
                RandomAccess.FlushToDisk(file);
            }

            _fileLength = validLength;
            _liveBytes = index.Values.Sum(entry => (long)entry.RecordLength);
            _generation = new LogGeneration(file, index);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        LogOpened(_logger, _logPath, _generation.Index.Count, _fileLength);
        MaybeCompact();
    }

    private FileStream AcquireDirectoryLock()
    {
        var lockPath = Path.Combine(_directory, LockFileName);
        try
        {
            // FileShare.None is an exclusive flock on Unix: a second process (or a second open here) is refused.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot create the lock file '{lockPath}': permission denied. Give a data directory this process can write.", e);
        }
        catch (IOException e)
        {
            throw new IOException(
                $"The data directory '{_directory}' is in use: another process holds its lock file '{lockPath}'. " +
                "Two servers cannot share one data directory; stop the other server or give this one another directory.", e);
        }
    }

    /// <summary>Indexes records from the start of the file; returns where the valid records end and, when that is
    /// before the end of the file, what was wrong with the next one.</summary>
    private static (long ValidLength, string? Problem) Scan(SafeFileHandle file, long length, ConcurrentDictionary<string, IndexEntry> index)
    {
        var reader = new SequentialFileReader(file, length);
        long position = 0;
        while (position < length)
        {
            if (length - position < LogRecord.HeaderSize)
            {
                return (position, "incomplete header");
            }

            var header = reader.Read(position, LogRecord.HeaderSize);
            var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (bodyLength < LogRecord.BodyFixedSize || bodyLength > LogRecord.MaxBodySize)
            {
                return (position, $"invalid record length {bodyLength}");
            }

            if (length - position - LogRecord.HeaderSize < bodyLength)
            {
                return (position, "incomplete record");
            }

            var body = reader.Read(position + LogRecord.HeaderSize, (int)bodyLength);
            var problem = LogRecord.TryDecodeBody(body, crc, out var op, out var version, out var key, out var valueLength);
            if (problem is not null)
            {
                return (position, problem);
            }

            var recordLength = LogRecord.HeaderSize + (int)bodyLength;
            index[key] = new IndexEntry(position, recordLength, valueLength, version, op == RecordOp.Delete);
            position += recordLength;
        }

        return (position, null);
    }
}
