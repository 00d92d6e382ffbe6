using Orchestrator.Storage.AppendLogs;
using Orleans.Providers;
using Orleans.Storage;

namespace Orchestrator.Storage.GrainStorage;

/// <summary>Settings of a <see cref="FileGrainStorage"/> provider.</summary>
public sealed class FileGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>Default <see cref="InitStage"/>: with the runtime's storage, before any grain can activate, and
    /// (lifecycles stop in reverse) closed only after every grain has deactivated and written its state.</summary>
    public const int DefaultInitStage = ServiceLifecycleStage.RuntimeStorageServices;

    /// <summary>The server's data directory. Required. The log lives in <c>grains/</c> under it (the default provider)
    /// or <c>grains/&lt;provider name&gt;/</c> (any other).</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>When a write completes. Default <see cref="Durability.Fsync"/>; <see cref="Durability.None"/> is for tests.</summary>
    public Durability Durability { get; set; } = Durability.Fsync;

    /// <summary>Compaction starts past this size once dead bytes outweigh live ones. Default 64 MiB.</summary>
    public long CompactionThresholdBytes { get; set; } = AppendLogOptions.DefaultCompactionThresholdBytes;

    /// <summary>Silo lifecycle stage at which the log opens (and, on stop, closes). Default <see cref="DefaultInitStage"/>.</summary>
    public int InitStage { get; set; } = DefaultInitStage;

    /// <summary>Turns state into bytes. Filled from DI when not set: the serializer registered under the provider's
    /// name (System.Text.Json by default, so the log holds readable JSON), else the silo's default.</summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>Where the log of the provider named <paramref name="providerName"/> lives under <paramref name="dataDirectory"/>.</summary>
    public static string LogDirectoryFor(string dataDirectory, string providerName) =>
        providerName == ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME
            ? Path.Combine(dataDirectory, "grains")
            : Path.Combine(dataDirectory, "grains", providerName);
}
