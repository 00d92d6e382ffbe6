namespace Orchestrator.Storage.AppendLogs;

/// <summary>A value read from an <see cref="AppendLog"/> with the version it was written at.</summary>
/// <param name="Value">The bytes written.</param>
/// <param name="Version">The key's version: 1 for its first write, +1 for every later put or delete.</param>
public readonly record struct StoredValue(byte[] Value, long Version);

/// <summary>One live key of an <see cref="AppendLog"/>, as <see cref="AppendLog.Enumerate"/> yields it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The bytes written.</param>
/// <param name="Version">The key's version.</param>
public readonly record struct StoredEntry(string Key, byte[] Value, long Version);
