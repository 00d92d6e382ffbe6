using Microsoft.Win32.SafeHandles;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>Reads a file front to back through one large buffer, so that a scan of small records costs few syscalls.</summary>
/// <remarks>The buffer is no larger than the file: a step log is opened (and scanned) once per step attempt, and a
/// fixed 1 MiB buffer each time was a large-object allocation per step that drove the server into back-to-back
/// gen2 collections under load.</remarks>
internal sealed class SequentialFileReader(SafeFileHandle file, long length)
{
    /// <summary>The most a read fetches at once (unless one record is larger).</summary>
    private const int MaxBufferBytes = 1024 * 1024;

    private byte[] _buffer = length <= 0 ? [] : new byte[(int)Math.Min(MaxBufferBytes, length)];
    private long _bufferStart;
    private int _bufferCount;

    /// <summary>The <paramref name="count"/> bytes at <paramref name="offset"/>, which must lie inside the file.
    /// The span is valid until the next call.</summary>
    public ReadOnlySpan<byte> Read(long offset, int count)
    {
        if (offset < _bufferStart || offset + count > _bufferStart + _bufferCount)
        {
            if (count > _buffer.Length)
            {
                _buffer = new byte[count];
            }

            _bufferStart = offset;
            _bufferCount = (int)Math.Min(_buffer.Length, length - offset);
            AppendLog.ReadExactly(file, _buffer.AsSpan(0, _bufferCount), offset);
        }

        return _buffer.AsSpan((int)(offset - _bufferStart), count);
    }
}
