namespace Orchestrator.Storage.AppendLogs;

/// <summary>Where a key's latest record lies in the log file, and its version.</summary>
/// <param name="RecordOffset">File offset of the record's header.</param>
/// <param name="RecordLength">Length of the whole record, header included.</param>
/// <param name="ValueLength">Length of the value, which ends the record.</param>
/// <param name="Version">The key's version.</param>
/// <param name="Deleted">True when the latest record is a tombstone.</param>
internal readonly record struct IndexEntry(long RecordOffset, int RecordLength, int ValueLength, long Version, bool Deleted)
{
    /// <summary>File offset of the value.</summary>
    public long ValueOffset => RecordOffset + RecordLength - ValueLength;

    /// <summary>The version a conditional write compares with: 0 when the key does not exist.</summary>
    public long CurrentVersion => Deleted ? 0 : Version;
}
