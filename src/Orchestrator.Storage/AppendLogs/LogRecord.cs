using System.Buffers.Binary;
using System.Text;

namespace Orchestrator.Storage.AppendLogs;

/// <summary>What a log record does to its key.</summary>
internal enum RecordOp : byte
{
    /// <summary>Sets the key's value.</summary>
    Put = 1,

    /// <summary>Removes the key; the record stays as a tombstone that remembers the key's version.</summary>
    Delete = 2,
}

/// <summary>The on-disk record: <c>[u32 body length][u32 crc32 of body][body]</c>, body =
/// <c>[u8 op][u64 version][u16 key length][key utf-8][value]</c>, little-endian.</summary>
internal static class LogRecord
{
    /// <summary>Length and checksum.</summary>
    public const int HeaderSize = 8;

    /// <summary>Op, version and key length.</summary>
    public const int BodyFixedSize = 11;

    /// <summary>Longest key in UTF-8 bytes (its length is a u16).</summary>
    public const int MaxKeyBytes = ushort.MaxValue;

    /// <summary>Largest value; a bound so that a corrupt length can never make recovery allocate gigabytes.</summary>
    public const int MaxValueBytes = 64 * 1024 * 1024;

    /// <summary>Largest body a valid record can have.</summary>
    public const int MaxBodySize = BodyFixedSize + MaxKeyBytes + MaxValueBytes;

    /// <summary>Strict UTF-8: a key that is not valid text is refused instead of silently changed.</summary>
    public static readonly UTF8Encoding KeyEncoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Total size of a record.</summary>
    public static int Size(int keyBytes, int valueBytes) => HeaderSize + BodyFixedSize + keyBytes + valueBytes;

    /// <summary>Writes one record into <paramref name="destination"/>, which is exactly <see cref="Size"/> long.</summary>
    public static void Write(Span<byte> destination, RecordOp op, long version, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var body = destination[HeaderSize..];
        body[0] = (byte)op;
        BinaryPrimitives.WriteInt64LittleEndian(body[1..], version);
        BinaryPrimitives.WriteUInt16LittleEndian(body[9..], (ushort)key.Length);
        key.CopyTo(body[BodyFixedSize..]);
        value.CopyTo(body[(BodyFixedSize + key.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32.Compute(body));
    }

    /// <summary>Checks a body against its checksum and decodes it; returns why it is invalid, or null.</summary>
    public static string? TryDecodeBody(ReadOnlySpan<byte> body, uint expectedCrc, out RecordOp op, out long version, out string key, out int valueLength)
    {
        op = default;
        version = 0;
        key = "";
        valueLength = 0;
        if (Crc32.Compute(body) != expectedCrc)
        {
            return "checksum mismatch";
        }

        op = (RecordOp)body[0];
        if (op is not (RecordOp.Put or RecordOp.Delete))
        {
            return $"unknown op {body[0]}";
        }

        version = BinaryPrimitives.ReadInt64LittleEndian(body[1..]);
        if (version <= 0)
        {
            return $"version {version} is not positive";
        }

        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(body[9..]);
        if (BodyFixedSize + keyLength > body.Length)
        {
            return $"key length {keyLength} runs past the record";
        }

        try
        {
            key = KeyEncoding.GetString(body.Slice(BodyFixedSize, keyLength));
        }
        catch (DecoderFallbackException)
        {
            return "key is not valid UTF-8";
        }

        valueLength = body.Length - BodyFixedSize - keyLength;
        return null;
    }
}
