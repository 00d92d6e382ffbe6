namespace Orchestrator.Storage.Hosting;

/// <summary>Settings of the file run index registered by <see cref="FileStorageSiloBuilderExtensions.AddFileRunIndex"/>.</summary>
public sealed class FileRunIndexOptions
{
    /// <summary>The server's data directory. Required. The index lives in <c>runs/</c> under it.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>When an upsert completes. Default <see cref="Durability.Fsync"/>; <see cref="Durability.None"/> is for tests.</summary>
    public Durability Durability { get; set; } = Durability.Fsync;
}
