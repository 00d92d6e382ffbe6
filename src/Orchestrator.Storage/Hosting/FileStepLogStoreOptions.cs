using Orchestrator.Storage.StepLogs;

namespace Orchestrator.Storage.Hosting;

/// <summary>Settings of the file step log store registered by <see cref="FileStorageSiloBuilderExtensions.AddFileStepLogStore"/>.</summary>
public sealed class FileStepLogStoreOptions
{
    /// <summary>The server's data directory. Required. Logs live in <c>logs/</c> under it.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Most append handles kept open at once. Default 64.</summary>
    public int MaxOpenFiles { get; set; } = FileStepLogStore.DefaultMaxOpenFiles;
}
