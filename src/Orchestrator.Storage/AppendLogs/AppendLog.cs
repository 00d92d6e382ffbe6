using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>A durable key-value store in one append-only file. Writes from many callers share one write and one
/// fsync (group commit) on a dedicated thread; only the index lives in memory, values are read back from disk.</summary>
/// <remarks>Every key has a version: 1 at its first put, +1 at every later put or delete, kept across deletes so
/// that a stale version can never match a re-created key. Deleted keys stay as small tombstones for that reason.</remarks>
public sealed partial class AppendLog : IAsyncDisposable, IDisposable
{
    /// <summary>Name of the log file inside the directory.</summary>
    public const string LogFileName = "data.log";

    /// <summary>Name of the file whose exclusive lock keeps a second process out of the directory.</summary>
    public const string LockFileName = ".lock";

    /// <summary>Suffix of the file a compaction writes before it replaces the log.</summary>
    internal const string CompactionSuffix = ".compact.tmp";

    private readonly string _directory;
    private readonly string _logPath;
    private readonly AppendLogOptions _options;
    private readonly ILogger _logger;
    private readonly Thread _writer;
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _queueGate = new(); // an object, not a Lock: the writer waits on it with Monitor.Wait
    private List<PendingWrite> _queue = [];
    private bool _stopping;
    private volatile bool _closed;
    private volatile LogGeneration? _generation;

    private AppendLog(string directory, AppendLogOptions options, ILogger logger)
    {
        _directory = directory;
        _logPath = Path.Combine(directory, LogFileName);
        _options = options;
        _logger = logger;
        _writer = new Thread(RunWriter) { IsBackground = true, Name = $"AppendLog writer {directory}" };
    }

    /// <summary>The directory that holds the log.</summary>
    public string Directory => _directory;

    /// <summary>Opens (or creates) the log in <paramref name="directory"/>: takes the directory's lock, cuts off a
    /// torn or corrupt tail, and rebuilds the index. Throws <see cref="IOException"/> when another process holds it.</summary>
    public static async Task<AppendLog> OpenAsync(string directory, AppendLogOptions? options = null, ILogger? logger = null)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new ArgumentException("The log directory is empty; give the directory the log lives in.", nameof(directory));
        }

        options ??= AppendLogOptions.Default;
        options.Validate();
        var log = new AppendLog(Path.GetFullPath(directory), options, logger ?? NullLogger.Instance);
        // The scan is blocking I/O: it runs on the writer thread, not on the caller's thread-pool thread.
        log._writer.Start();
        await log._opened.Task.ConfigureAwait(false);
        return log;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> and returns the key's new version once
    /// durable. <paramref name="expectedVersion"/>: -1 no check, 0 the key must not exist, n it must be at version n;
    /// a mismatch fails with <see cref="VersionConflictException"/> and writes nothing. The caller must not change
    /// <paramref name="value"/> until the task completes.</summary>
    public Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long expectedVersion = -1)
    {
        var keyBytes = EncodeKey(key);
        CheckExpectedVersion(expectedVersion);
        if (value.Length > LogRecord.MaxValueBytes)
        {
            throw new ArgumentException(
                $"The value of '{key}' is {value.Length} bytes; one record holds at most {LogRecord.MaxValueBytes}.", nameof(value));
        }

        return Enqueue(new PendingWrite(RecordOp.Put, key, keyBytes, value, expectedVersion));
    }

    /// <summary>Deletes <paramref name="key"/> under the same version check as <see cref="PutAsync"/>; returns the
    /// key's version afterwards. Deleting a key that does not exist writes nothing.</summary>
    public Task<long> DeleteAsync(string key, long expectedVersion = -1)
    {
        var keyBytes = EncodeKey(key);
        CheckExpectedVersion(expectedVersion);
        return Enqueue(new PendingWrite(RecordOp.Delete, key, keyBytes, ReadOnlyMemory<byte>.Empty, expectedVersion));
    }

    /// <summary>The value and version of <paramref name="key"/>, or null when it does not exist.</summary>
    public StoredValue? TryRead(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        while (true)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            var generation = _generation!;
            if (!generation.Index.TryGetValue(key, out var entry) || entry.Deleted)
            {
                return null;
            }

            var value = new byte[entry.ValueLength];
            try
            {
                ReadExactly(generation.File, value, entry.ValueOffset);
                return new StoredValue(value, entry.Version);
            }
            catch (ObjectDisposedException) when (!_closed && !ReferenceEquals(generation, _generation))
            {
                // A compaction replaced the file between the lookup and the read: look up again in the new one.
            }
        }
    }

    /// <summary>Every live key starting with <paramref name="prefix"/>, in ordinal key order, with its value.</summary>
    public IEnumerable<StoredEntry> Enumerate(string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ObjectDisposedException.ThrowIf(_closed, this);
        var keys = _generation!.Index
            .Where(pair => !pair.Value.Deleted && pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(pair => pair.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        return EnumerateKeys(keys);
    }

    /// <summary>Current size of the log file in bytes.</summary>
    internal long FileBytes => Interlocked.Read(ref _fileLength);

    /// <summary>Bytes of the records that are still current (values and tombstones).</summary>
    internal long LiveBytes => Interlocked.Read(ref _liveBytes);

    /// <summary>How many compactions have completed since the log was opened.</summary>
    internal int Compactions => Volatile.Read(ref _compactions);

    /// <summary>Writes what is queued, flushes, closes the file and releases the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        BeginStop();
        await _stopped.Task.ConfigureAwait(false);
    }

    /// <summary>Writes what is queued, flushes, closes the file and releases the directory (blocking).</summary>
    public void Dispose()
    {
        BeginStop();
        _writer.Join();
    }

    private IEnumerable<StoredEntry> EnumerateKeys(List<string> keys)
    {
        foreach (var key in keys)
        {
            if (TryRead(key) is { } stored)
            {
                yield return new StoredEntry(key, stored.Value, stored.Version);
            }
        }
    }

    private Task<long> Enqueue(PendingWrite write)
    {
        lock (_queueGate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_fault is not null)
            {
                return Task.FromException<long>(Unusable(_fault));
            }

            _queue.Add(write);
            if (_queue.Count == 1)
            {
                // The writer only waits when the queue is empty, so only the first write needs to wake it.
                Monitor.Pulse(_queueGate);
            }
        }

        return write.Completion.Task;
    }

    private void BeginStop()
    {
        lock (_queueGate)
        {
            _stopping = true;
            Monitor.Pulse(_queueGate);
        }
    }

    private static byte[] EncodeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("The key is empty; give every value a non-empty key.", nameof(key));
        }

        byte[] bytes;
        try
        {
            bytes = LogRecord.KeyEncoding.GetBytes(key);
        }
        catch (System.Text.EncoderFallbackException e)
        {
            throw new ArgumentException($"The key '{key}' is not valid text (an unpaired surrogate); use valid UTF-16.", nameof(key), e);
        }

        if (bytes.Length > LogRecord.MaxKeyBytes)
        {
            throw new ArgumentException($"The key is {bytes.Length} UTF-8 bytes; keys hold at most {LogRecord.MaxKeyBytes}.", nameof(key));
        }

        return bytes;
    }

    private static void CheckExpectedVersion(long expectedVersion)
    {
        if (expectedVersion < -1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(expectedVersion), expectedVersion, "expectedVersion is -1 (no check), 0 (must not exist) or a version (≥ 1).");
        }
    }

    private IOException Unusable(Exception fault) =>
        new($"The log '{_logPath}' is unusable after a failed write that could not be rolled back; restart the process to recover it.", fault);
}
