using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>The writer thread: group commit of queued writes, in queue order.</summary>
public sealed partial class AppendLog
{
    /// <summary>A batch larger than this goes to the file in several writes (still one fsync).</summary>
    private const int WriteChunkBytes = 1024 * 1024;

    // Owned by the writer thread; read elsewhere only through Interlocked for statistics.
    private long _fileLength;
    private long _liveBytes;
    private int _compactions;
    private long _nextCompactionAttemptBytes;
    private List<PendingWrite> _spare = [];
    private Exception? _fault;
    private FileStream? _lockFile;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Dictionary<string, IndexEntry> _batchIndex = new(StringComparer.Ordinal);

    private void RunWriter()
    {
        try
        {
            Recover();
        }
        catch (Exception e)
        {
            CloseFiles();
            _opened.TrySetException(e);
            _stopped.TrySetResult();
            return;
        }

        _opened.TrySetResult();
        while (TakeBatch(out var batch))
        {
            try
            {
                CommitBatch(batch);
                MaybeCompact();
            }
            catch (Exception e)
            {
                // Not an I/O error of the batch (those are handled inside): a bug. Cut off whatever part of the batch
                // reached the file (a later open would otherwise revive it), fail the callers, keep serving.
                LogWriterFailed(_logger, _logPath, e);
                RollBack(_generation!.File, _fileLength, e);
                foreach (var write in batch)
                {
                    write.Completion.TrySetException(e);
                }
            }

            batch.Clear();
            _spare = batch;
        }

        try
        {
            if (_generation is { } generation && _fault is null)
            {
                RandomAccess.FlushToDisk(generation.File);
            }
        }
        catch (IOException e)
        {
            LogWriterFailed(_logger, _logPath, e);
        }

        CloseFiles();
        _stopped.TrySetResult();
    }

    private bool TakeBatch(out List<PendingWrite> batch)
    {
        lock (_queueGate)
        {
            while (_queue.Count == 0)
            {
                if (_stopping)
                {
                    batch = [];
                    return false;
                }

                Monitor.Wait(_queueGate);
            }

            batch = _queue;
            _queue = _spare;
            return true;
        }
    }

    private void CommitBatch(List<PendingWrite> batch)
    {
        if (_fault is not null)
        {
            foreach (var write in batch)
            {
                write.Completion.TrySetException(Unusable(_fault));
            }

            return;
        }

        var generation = _generation!;
        var start = _fileLength;
        long flushed = 0;
        _batchIndex.Clear();
        _buffer.ResetWrittenCount();
        try
        {
            foreach (var write in batch)
            {
                Encode(write, generation, start + flushed);
                if (_buffer.WrittenCount >= WriteChunkBytes)
                {
                    flushed += WriteBuffer(generation.File, start + flushed);
                }
            }

            flushed += WriteBuffer(generation.File, start + flushed);
            if (flushed > 0 && _options.Durability == Durability.Fsync)
            {
                RandomAccess.FlushToDisk(generation.File);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RollBack(generation.File, start, e);
            foreach (var write in batch)
            {
                write.Refusal ??= new IOException($"Writing to the log '{_logPath}' failed: {e.Message}", e);
            }

            Complete(batch);
            return;
        }

        foreach (var (key, entry) in _batchIndex)
        {
            if (generation.Index.TryGetValue(key, out var previous))
            {
                _liveBytes -= previous.RecordLength;
            }

            _liveBytes += entry.RecordLength;
            generation.Index[key] = entry;
        }

        Interlocked.Exchange(ref _fileLength, start + flushed);
        Complete(batch);
    }

    /// <summary>Checks the write's expected version against the index as it will be after the writes before it in
    /// this batch, then appends its record to the buffer.</summary>
    private void Encode(PendingWrite write, LogGeneration generation, long bufferFileOffset)
    {
        IndexEntry? current = _batchIndex.TryGetValue(write.Key, out var inBatch) ? inBatch
            : generation.Index.TryGetValue(write.Key, out var stored) ? stored
            : null;
        var actual = current?.CurrentVersion ?? 0;
        if (write.ExpectedVersion >= 0 && write.ExpectedVersion != actual)
        {
            write.Refusal = new VersionConflictException(write.Key, write.ExpectedVersion, actual);
            return;
        }

        var lastVersion = current?.Version ?? 0;
        if (write.Op == RecordOp.Delete && actual == 0)
        {
            write.ResultVersion = lastVersion;
            return;
        }

        var version = lastVersion + 1;
        var size = LogRecord.Size(write.KeyBytes.Length, write.Value.Length);
        var offset = bufferFileOffset + _buffer.WrittenCount;
        LogRecord.Write(_buffer.GetSpan(size)[..size], write.Op, version, write.KeyBytes, write.Value.Span);
        _buffer.Advance(size);
        _batchIndex[write.Key] = new IndexEntry(offset, size, write.Value.Length, version, write.Op == RecordOp.Delete);
        write.ResultVersion = version;
    }

    private int WriteBuffer(SafeFileHandle file, long fileOffset)
    {
        var count = _buffer.WrittenCount;
        if (count > 0)
        {
            RandomAccess.Write(file, _buffer.WrittenSpan, fileOffset);
            _buffer.ResetWrittenCount();
        }

        return count;
    }

    /// <summary>Cuts a partly written batch off, so that the next batch does not append after garbage.</summary>
    private void RollBack(SafeFileHandle file, long length, Exception cause)
    {
        LogWriteFailed(_logger, _logPath, cause);
        try
        {
            RandomAccess.SetLength(file, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_queueGate)
            {
                _fault = e;
            }

            LogLogUnusable(_logger, _logPath, e);
        }
    }

    private static void Complete(List<PendingWrite> batch)
    {
        foreach (var write in batch)
        {
            if (write.Refusal is { } refusal)
            {
                write.Completion.TrySetException(refusal);
            }
            else
            {
                write.Completion.TrySetResult(write.ResultVersion);
            }
        }
    }

    private void CloseFiles()
    {
        _closed = true;
        _generation?.File.Dispose();
        _lockFile?.Dispose();
        _lockFile = null;
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes at <paramref name="offset"/>.</summary>
    internal static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset)
    {
        while (destination.Length > 0)
        {
            var read = RandomAccess.Read(file, destination, offset);
            if (read == 0)
            {
                throw new IOException($"The log ended at offset {offset} inside a record it has indexed; the file was changed by something else.");
            }

            destination = destination[read..];
            offset += read;
        }
    }
}
