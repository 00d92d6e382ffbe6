namespace Orchestrator.Storage.AppendLogs;

/// <summary>A put or delete waiting for the writer thread.</summary>
internal sealed class PendingWrite(RecordOp op, string key, byte[] keyBytes, ReadOnlyMemory<byte> value, long expectedVersion)
{
    /// <summary>Put or delete.</summary>
    public RecordOp Op { get; } = op;

    /// <summary>The key.</summary>
    public string Key { get; } = key;

    /// <summary>The key in UTF-8, encoded on the caller's thread.</summary>
    public byte[] KeyBytes { get; } = keyBytes;

    /// <summary>The value to put; empty for a delete.</summary>
    public ReadOnlyMemory<byte> Value { get; } = value;

    /// <summary>-1: no check; 0: must not exist; n: must be at version n.</summary>
    public long ExpectedVersion { get; } = expectedVersion;

    /// <summary>Completed by the writer thread once the write is durable; continuations never run on that thread.</summary>
    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The version this write produced, set while the batch is encoded.</summary>
    public long ResultVersion { get; set; }

    /// <summary>The reason this write was refused while the batch was encoded, or null.</summary>
    public Exception? Refusal { get; set; }
}
