using Grpc.Core;

using Orchestrator.Contracts.V1;

namespace Orchestrator.Execution.Artifacts;

/// <summary>A read-only stream over the chunks of one <c>ArtifactService.Download</c> call.</summary>
internal sealed class ArtifactDownloadStream : Stream
{
    private readonly AsyncServerStreamingCall<ArtifactChunk> _call;
    private ReadOnlyMemory<byte> _current;
    private bool _ended;

    public ArtifactDownloadStream(AsyncServerStreamingCall<ArtifactChunk> call, ReadOnlyMemory<byte>? first, bool ended)
    {
        _call = call;
        _current = first ?? ReadOnlyMemory<byte>.Empty;
        _ended = ended;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty)
        {
            if (_ended || !await _call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                _ended = true;
                return 0;
            }
            _current = _call.ResponseStream.Current.Data.Memory;
        }
        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _call.Dispose();
        base.Dispose(disposing);
    }
}
