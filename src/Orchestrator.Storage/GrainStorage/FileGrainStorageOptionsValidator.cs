using Orchestrator.Storage.Hosting;
using Orleans.Runtime;

namespace Orchestrator.Storage.GrainStorage;

/// <summary>Checks a <see cref="FileGrainStorageOptions"/> at silo start: a data directory is set and writable.</summary>
internal sealed class FileGrainStorageOptionsValidator(FileGrainStorageOptions options, string name) : IConfigurationValidator
{
    /// <summary>Throws <see cref="OrleansConfigurationException"/> naming the setting and the fix.</summary>
    public void ValidateConfiguration()
    {
        var prefix = $"File grain storage '{name}':";
        if (name.Contains('/') || name.Contains('\\') || name.Contains("..", StringComparison.Ordinal) || name.Contains('\0'))
        {
            throw new OrleansConfigurationException(
                $"{prefix} the provider name is used as a directory name and must not contain '/', '\\', '..' or NUL; rename the provider.");
        }

        if (!Enum.IsDefined(options.Durability))
        {
            throw new OrleansConfigurationException(
                $"{prefix} {nameof(FileGrainStorageOptions.Durability)} {(int)options.Durability} is not one of Fsync, None.");
        }

        if (options.CompactionThresholdBytes <= 0)
        {
            throw new OrleansConfigurationException(
                $"{prefix} {nameof(FileGrainStorageOptions.CompactionThresholdBytes)} must be positive (it is {options.CompactionThresholdBytes}).");
        }

        DataDirectoryCheck.EnsureWritable(
            $"File grain storage '{name}'",
            $"{nameof(FileGrainStorageOptions)}.{nameof(FileGrainStorageOptions.DataDirectory)}",
            options.DataDirectory,
            FileGrainStorageOptions.LogDirectoryFor(options.DataDirectory, name));
    }
}
