using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.AppendLogs;

namespace Orchestrator.Storage.StepLogs;

/// <summary>Step logs as framed files <c>&lt;data directory&gt;/logs/&lt;run id&gt;/&lt;step key&gt;/&lt;attempt&gt;.log</c>.
/// Appends go straight to the OS (no fsync: logs are best effort), so readers in this process see them at once;
/// at most <see cref="DefaultMaxOpenFiles"/> append handles stay open, least recently used closed first.</summary>
public sealed partial class FileStepLogStore : IStepLogStore, IDisposable
{
    /// <summary>The store's directory under the data directory.</summary>
    public const string DirectoryName = "logs";

    /// <summary>Default bound on open append handles.</summary>
    public const int DefaultMaxOpenFiles = 64;

    private readonly string _root;
    private readonly int _maxOpenFiles;
    private readonly TimeProvider _time;
    // One lock for every handle operation: writes are short page-cache copies, and one lock keeps LRU eviction
    // (which closes another log's handle) free of lock ordering.
    private readonly Lock _gate = new();
    private readonly Dictionary<StepLogKey, StepLogChannel> _channels = [];
    private readonly LinkedList<StepLogChannel> _openHandles = new();
    private bool _disposed;

    /// <summary>Creates the store under <paramref name="dataDirectory"/>.</summary>
    public FileStepLogStore(string dataDirectory, int maxOpenFiles = DefaultMaxOpenFiles, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            throw new ArgumentException("The data directory is empty; give the directory the server keeps its data in.", nameof(dataDirectory));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxOpenFiles, 1);
        _root = Path.Combine(Path.GetFullPath(dataDirectory), DirectoryName);
        _maxOpenFiles = maxOpenFiles;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Number of append handles open now.</summary>
    internal int OpenFiles
    {
        get
        {
            lock (_gate)
            {
                return _openHandles.Count;
            }
        }
    }

    /// <summary>Number of readers following <paramref name="key"/> now (tests wait on it instead of sleeping).</summary>
    internal int FollowersOf(StepLogKey key)
    {
        lock (_gate)
        {
            return _channels.TryGetValue(key, out var channel) ? channel.Followers : 0;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Fails with <see cref="InvalidOperationException"/> when the attempt's log is already complete.</remarks>
    public ValueTask AppendAsync(StepLogKey key, LogStreamKind stream, ReadOnlyMemory<byte> data, DateTimeOffset time)
    {
        var path = StepLogPath.For(_root, key);
        if (stream is not (LogStreamKind.Stdout or LogStreamKind.Stderr))
        {
            throw new ArgumentException($"stream {(int)stream} is neither Stdout nor Stderr.", nameof(stream));
        }

        if (data.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        var frames = EncodeChunks((byte)stream, time.ToUnixTimeMilliseconds(), data.Span, out var length);
        StepLogChannel channel;
        try
        {
            lock (_gate)
            {
                channel = OpenForAppend(key, path);
                if (channel.Completed)
                {
                    throw new InvalidOperationException(
                        $"The log of run '{key.RunId}' step '{key.StepKey}' attempt {key.Attempt} is complete; a retry writes to a new attempt.");
                }

                Write(channel, frames.AsSpan(0, length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frames);
        }

        channel.Signal();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>Completing a complete log does nothing.</remarks>
    public ValueTask CompleteAsync(StepLogKey key)
    {
        var path = StepLogPath.For(_root, key);
        StepLogChannel channel;
        lock (_gate)
        {
            channel = OpenForAppend(key, path);
            if (!channel.Completed)
            {
                Span<byte> completion = stackalloc byte[StepLogFrame.HeaderSize];
                StepLogFrame.WriteHeader(completion, StepLogFrame.CompletionStream, _time.GetUtcNow().ToUnixTimeMilliseconds(), 0);
                Write(channel, completion);
                channel.Completed = true;
            }

            CloseHandle(channel);
            // Nothing more will be written: a later reader finds the completion frame in the file.
            _channels.Remove(key);
        }

        channel.Signal();
        return ValueTask.CompletedTask;
    }

    /// <summary>Deletes every log of a run (retention); followers of them stop.</summary>
    public ValueTask DeleteRunAsync(string runId)
    {
        StepLogPath.CheckSegment(runId, nameof(StepLogKey.RunId));
        var closed = new List<StepLogChannel>();
        lock (_gate)
        {
            foreach (var channel in _channels.Values.Where(c => c.Key.RunId == runId).ToList())
            {
                CloseHandle(channel);
                channel.Closed = true;
                _channels.Remove(channel.Key);
                closed.Add(channel);
            }

            // Inside the lock, so that no append recreates a file of the run while it is being deleted.
            var runDirectory = Path.Combine(_root, runId);
            if (Directory.Exists(runDirectory))
            {
                Directory.Delete(runDirectory, recursive: true);
            }
        }

        closed.ForEach(channel => channel.Signal());
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes every handle; followers stop.</summary>
    public void Dispose()
    {
        List<StepLogChannel> channels;
        lock (_gate)
        {
            _disposed = true;
            channels = [.. _channels.Values];
            foreach (var channel in channels)
            {
                CloseHandle(channel);
                channel.Closed = true;
            }

            _channels.Clear();
        }

        channels.ForEach(channel => channel.Signal());
    }

    private StepLogChannel GetChannel(StepLogKey key, string path)
    {
        if (!_channels.TryGetValue(key, out var channel))
        {
            channel = new StepLogChannel(key, path);
            _channels.Add(key, channel);
        }

        return channel;
    }

    /// <summary>The key's channel with an open append handle, unless the log is already complete.</summary>
    private StepLogChannel OpenForAppend(StepLogKey key, string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var channel = GetChannel(key, path);
        if (channel.Completed)
        {
            return channel;
        }

        if (channel.Handle is not null)
        {
            _openHandles.Remove(channel.OpenHandleNode!);
            _openHandles.AddFirst(channel.OpenHandleNode!);
            return channel;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        if (channel.Length < 0)
        {
            var (end, completed) = FindEnd(handle);
            if (completed)
            {
                handle.Dispose();
                channel.Completed = true;
                return channel;
            }

            if (end < RandomAccess.GetLength(handle))
            {
                // A torn frame from a crash: appending after it would make the rest unreadable.
                RandomAccess.SetLength(handle, end);
            }

            channel.Length = end;
        }

        channel.Handle = handle;
        channel.OpenHandleNode = _openHandles.AddFirst(channel);
        if (_openHandles.Count > _maxOpenFiles)
        {
            CloseHandle(_openHandles.Last!.Value);
        }

        return channel;
    }

    private static void Write(StepLogChannel channel, ReadOnlySpan<byte> frames)
    {
        try
        {
            RandomAccess.Write(channel.Handle!, frames, channel.Length);
        }
        catch (IOException)
        {
            // Cut a partial frame off (best effort), so that readers and the next append find the framing intact.
            try
            {
                RandomAccess.SetLength(channel.Handle!, channel.Length);
            }
            catch (IOException)
            {
            }

            throw;
        }

        channel.Length += frames.Length;
    }

    private void CloseHandle(StepLogChannel channel)
    {
        if (channel.OpenHandleNode is { } node)
        {
            _openHandles.Remove(node);
            channel.OpenHandleNode = null;
        }

        channel.Handle?.Dispose();
        channel.Handle = null;
    }

    /// <summary>Where the valid frames of an existing file end, and whether the last one completes the log.</summary>
    private static (long End, bool Completed) FindEnd(SafeFileHandle file)
    {
        var length = RandomAccess.GetLength(file);
        var reader = new SequentialFileReader(file, length);
        long position = 0;
        while (length - position >= StepLogFrame.HeaderSize)
        {
            var header = StepLogFrame.ReadHeader(reader.Read(position, StepLogFrame.HeaderSize));
            if (header.Kind == FrameKind.Completion)
            {
                return (position + StepLogFrame.HeaderSize, true);
            }

            if (header.Kind == FrameKind.Invalid || length - position - StepLogFrame.HeaderSize < header.Length)
            {
                break;
            }

            position += StepLogFrame.HeaderSize + header.Length;
        }

        return (position, false);
    }

    /// <summary>Frames <paramref name="data"/> in chunks of at most <see cref="StepLogFrame.MaxChunkBytes"/> into a
    /// pooled buffer, so that one append is one write.</summary>
    private static byte[] EncodeChunks(byte stream, long unixMilliseconds, ReadOnlySpan<byte> data, out int length)
    {
        var chunks = (data.Length + StepLogFrame.MaxChunkBytes - 1) / StepLogFrame.MaxChunkBytes;
        length = data.Length + (chunks * StepLogFrame.HeaderSize);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var position = 0;
        while (!data.IsEmpty)
        {
            var chunk = data[..Math.Min(data.Length, StepLogFrame.MaxChunkBytes)];
            StepLogFrame.WriteHeader(buffer.AsSpan(position), stream, unixMilliseconds, chunk.Length);
            chunk.CopyTo(buffer.AsSpan(position + StepLogFrame.HeaderSize));
            position += StepLogFrame.HeaderSize + chunk.Length;
            data = data[chunk.Length..];
        }

        return buffer;
    }
}
