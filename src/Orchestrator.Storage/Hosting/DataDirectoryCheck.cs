using Orleans.Runtime;

namespace Orchestrator.Storage.Hosting;

/// <summary>The start-up check every file store shares: the data directory is set, and its store's subdirectory
/// can be created and written.</summary>
internal static class DataDirectoryCheck
{
    /// <summary>Throws <see cref="OrleansConfigurationException"/> naming <paramref name="setting"/> and the fix.</summary>
    public static void EnsureWritable(string component, string setting, string? dataDirectory, string storeDirectory)
    {
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            throw new OrleansConfigurationException(
                $"{component}: {setting} is empty. Set it to a directory this process can write, for example ./data.");
        }

        try
        {
            Directory.CreateDirectory(storeDirectory);
            var probe = Path.Combine(storeDirectory, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, [0]);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new OrleansConfigurationException(
                $"{component}: {setting} '{dataDirectory}' is not writable ({e.Message}). " +
                "Choose a directory this process can create and write, or fix its permissions.", e);
        }
    }
}
