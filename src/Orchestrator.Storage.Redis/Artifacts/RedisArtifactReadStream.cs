using StackExchange.Redis;

namespace Orchestrator.Storage.Redis.Artifacts;

/// <summary>Reads a stored artifact piece by piece, fetching the next piece only when the reader gets to it, so a large
/// artifact never sits whole in memory.</summary>
internal sealed class RedisArtifactReadStream(IDatabase db, RedisKeys keys, string digest, long size, int chunks) : Stream
{
    private byte[] _current = [];
    private int _offset;
    private int _next;
    private long _position;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => size;

    /// <inheritdoc/>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (_offset == _current.Length)
        {
            if (_next == chunks) return 0;
            var piece = await db.StringGetAsync(keys.ArtifactChunk(digest, _next)).ConfigureAwait(false);
            if (piece.IsNull) throw new IOException($"artifact {digest}: piece {_next} of {chunks} is missing from Redis");
            _current = (byte[])piece!;
            _offset = 0;
            _next++;
        }

        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        _position += count;
        return count;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
