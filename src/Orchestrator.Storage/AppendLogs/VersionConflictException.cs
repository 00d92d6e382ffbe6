namespace Orchestrator.Storage.AppendLogs;

/// <summary>A conditional write found another version than the caller expected; nothing was written.</summary>
public sealed class VersionConflictException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public VersionConflictException(string key, long expectedVersion, long actualVersion)
        : base($"Version conflict on '{key}': expected version {Describe(expectedVersion)}, but it is {Describe(actualVersion)}. " +
               "Read the current value and retry with its version.")
    {
        Key = key;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The key written.</summary>
    public string Key { get; }

    /// <summary>The version the caller expected (0: must not exist).</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version found (0: the key does not exist).</summary>
    public long ActualVersion { get; }

    private static string Describe(long version) => version == 0 ? "0 (absent)" : version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
