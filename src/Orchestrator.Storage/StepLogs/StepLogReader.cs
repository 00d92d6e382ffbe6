using Microsoft.Win32.SafeHandles;
using Orchestrator.Core.Storage;

namespace Orchestrator.Storage.StepLogs;

/// <summary>Reads the complete frames of a step log from where the last call stopped; a frame still being
/// written is left for the next call.</summary>
internal sealed class StepLogReader
{
    private byte[] _buffer = new byte[64 * 1024];
    private long _offset;

    /// <summary>True once the completion frame (or corruption, which ends the log the same way) was reached.</summary>
    public bool Completed { get; private set; }

    /// <summary>The chunks that are complete in the file now.</summary>
    public List<LogEntry> ReadAvailable(SafeFileHandle file)
    {
        var entries = new List<LogEntry>();
        while (!Completed)
        {
            var count = RandomAccess.Read(file, _buffer, _offset);
            var position = 0;
            var grew = false;
            while (count - position >= StepLogFrame.HeaderSize)
            {
                var header = StepLogFrame.ReadHeader(_buffer.AsSpan(position));
                if (header.Kind != FrameKind.Chunk)
                {
                    Completed = true;
                    break;
                }

                var frameLength = StepLogFrame.HeaderSize + header.Length;
                if (count - position < frameLength)
                {
                    if (frameLength > _buffer.Length)
                    {
                        Array.Resize(ref _buffer, frameLength);
                        grew = true;
                    }

                    break;
                }

                var data = _buffer.AsSpan(position + StepLogFrame.HeaderSize, header.Length).ToArray();
                entries.Add(new LogEntry(header.Stream, data, DateTimeOffset.FromUnixTimeMilliseconds(header.UnixMilliseconds)));
                position += frameLength;
            }

            _offset += position;
            if (position == 0 && !grew)
            {
                break;
            }
        }

        return entries;
    }
}
