using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>Compaction: rewrite the live records into a new file and swap it in atomically.</summary>
public sealed partial class AppendLog
{
    private void MaybeCompact()
    {
        var deadBytes = _fileLength - _liveBytes;
        if (_fileLength > _options.CompactionThresholdBytes && deadBytes > _liveBytes && _fileLength >= _nextCompactionAttemptBytes)
        {
            Compact();
        }
    }

    /// <summary>Runs on the writer thread, so queued writes simply wait. Records are copied verbatim (checksums
    /// included); tombstones are kept because they carry the versions of deleted keys.</summary>
    private void Compact()
    {
        var old = _generation!;
        var compactionPath = _logPath + CompactionSuffix;
        var before = _fileLength;
        SafeFileHandle? target = null;
        ConcurrentDictionary<string, IndexEntry> index;
        long length = 0;
        try
        {
            target = File.OpenHandle(compactionPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
            var entries = old.Index.ToArray();
            Array.Sort(entries, static (a, b) => a.Value.RecordOffset.CompareTo(b.Value.RecordOffset));
            index = new ConcurrentDictionary<string, IndexEntry>(StringComparer.Ordinal);
            _buffer.ResetWrittenCount();
            // Entries in file order: the old file is read front to back through one big buffer, not a pread per record.
            var reader = new SequentialFileReader(old.File, _fileLength);
            foreach (var (key, entry) in entries)
            {
                var offset = length + _buffer.WrittenCount;
                reader.Read(entry.RecordOffset, entry.RecordLength).CopyTo(_buffer.GetSpan(entry.RecordLength));
                _buffer.Advance(entry.RecordLength);
                index[key] = entry with { RecordOffset = offset };
                if (_buffer.WrittenCount >= WriteChunkBytes)
                {
                    length += WriteBuffer(target, length);
                }
            }

            length += WriteBuffer(target, length);
            // Always flushed, whatever the durability: the rename must never expose a file whose content is not on disk.
            RandomAccess.FlushToDisk(target);
            File.Move(compactionPath, _logPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCompactionFailed(_logger, _logPath, e);
            target?.Dispose();
            TryDelete(compactionPath);
            _buffer.ResetWrittenCount();
            // Try again only once the log has grown by another threshold, not after every batch.
            _nextCompactionAttemptBytes = _fileLength + _options.CompactionThresholdBytes;
            return;
        }

        try
        {
            DirectorySync.Flush(_directory);
        }
        catch (IOException e)
        {
            // The rename happened; only its durability across a power loss is in doubt, and both files are valid logs.
            LogCompactionFailed(_logger, _logPath, e);
        }

        // The renamed file is the open target handle: it becomes the log, with no reopen.
        _generation = new LogGeneration(target, index);
        old.File.Dispose();
        Interlocked.Exchange(ref _fileLength, length);
        Interlocked.Exchange(ref _liveBytes, length);
        _nextCompactionAttemptBytes = 0;
        Interlocked.Increment(ref _compactions);
        LogCompacted(_logger, _logPath, before, length, index.Count);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next open, which deletes a stale compaction file before anything else.
        }
    }
}
