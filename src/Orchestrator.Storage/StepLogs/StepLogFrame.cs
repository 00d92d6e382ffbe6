using System.Buffers.Binary;
using Orchestrator.Core.Storage;

namespace Orchestrator.Storage.StepLogs;

/// <summary>The framing of a step log file: <c>[u8 stream][i64 unix ms][u32 length][bytes]</c> per chunk,
/// little-endian, and a frame of stream 0 and length 0 that marks the log complete.</summary>
internal static class StepLogFrame
{
    /// <summary>Stream, time and length.</summary>
    public const int HeaderSize = 13;

    /// <summary>Largest chunk in one frame; larger appends are split. It bounds what a corrupt length can make a reader allocate.</summary>
    public const int MaxChunkBytes = 1024 * 1024;

    /// <summary>The stream byte of the completion frame.</summary>
    public const byte CompletionStream = 0;

    /// <summary>Writes a header into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, byte stream, long unixMilliseconds, int length)
    {
        destination[0] = stream;
        BinaryPrimitives.WriteInt64LittleEndian(destination[1..], unixMilliseconds);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[9..], (uint)length);
    }

    /// <summary>What a header says.</summary>
    public static FrameHeader ReadHeader(ReadOnlySpan<byte> source)
    {
        var stream = source[0];
        var length = BinaryPrimitives.ReadUInt32LittleEndian(source[9..]);
        var kind = stream switch
        {
            CompletionStream when length == 0 => FrameKind.Completion,
            (byte)LogStreamKind.Stdout or (byte)LogStreamKind.Stderr when length <= MaxChunkBytes => FrameKind.Chunk,
            _ => FrameKind.Invalid,
        };
        return new FrameHeader(kind, (LogStreamKind)stream, BinaryPrimitives.ReadInt64LittleEndian(source[1..]), (int)Math.Min(length, int.MaxValue));
    }
}

/// <summary>What a frame is.</summary>
internal enum FrameKind
{
    /// <summary>A chunk of output.</summary>
    Chunk,

    /// <summary>The end of the log.</summary>
    Completion,

    /// <summary>Not a frame this store writes: corruption; readers treat it as the end.</summary>
    Invalid,
}

/// <summary>A decoded frame header.</summary>
internal readonly record struct FrameHeader(FrameKind Kind, LogStreamKind Stream, long UnixMilliseconds, int Length);
