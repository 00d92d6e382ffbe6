namespace Orchestrator.Storage.AppendLogs;

/// <summary>Settings of one <see cref="AppendLog"/>.</summary>
public sealed record AppendLogOptions
{
    /// <summary>Default <see cref="CompactionThresholdBytes"/>: 64 MiB.</summary>
    public const long DefaultCompactionThresholdBytes = 64L * 1024 * 1024;

    /// <summary>When a write's task completes. Default <see cref="Durability.Fsync"/>.</summary>
    public Durability Durability { get; init; } = Durability.Fsync;

    /// <summary>The log is rewritten with only its live records once it is larger than this and has more dead
    /// bytes than live ones. Default 64 MiB.</summary>
    public long CompactionThresholdBytes { get; init; } = DefaultCompactionThresholdBytes;

    /// <summary>The options with defaults.</summary>
    public static AppendLogOptions Default { get; } = new();

    internal void Validate()
    {
        if (!Enum.IsDefined(Durability))
        {
            throw new ArgumentException($"Durability {(int)Durability} is not one of Fsync, None.", nameof(Durability));
        }

        if (CompactionThresholdBytes <= 0)
        {
            throw new ArgumentException(
                $"CompactionThresholdBytes must be positive (it is {CompactionThresholdBytes}); the default is {DefaultCompactionThresholdBytes}.",
                nameof(CompactionThresholdBytes));
        }
    }
}
