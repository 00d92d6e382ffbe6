using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.AppendLogs;
using Orchestrator.Storage.GrainStorage;
using Orchestrator.Storage.RunIndex;
using Orchestrator.Storage.StepLogs;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Orchestrator.Storage.Hosting;

/// <summary>Registers the file stores of the embedded default on a silo: grain storage, run index, step logs.</summary>
public static class FileStorageSiloBuilderExtensions
{
    /// <summary>Adds <see cref="FileGrainStorage"/> as the default grain storage.</summary>
    public static ISiloBuilder AddFileGrainStorageAsDefault(this ISiloBuilder builder, Action<FileGrainStorageOptions> configure) =>
        builder.AddFileGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds <see cref="FileGrainStorage"/> under <paramref name="name"/>. Calling it again for the same name
    /// adds <paramref name="configure"/> and nothing else.</summary>
    public static ISiloBuilder AddFileGrainStorage(this ISiloBuilder builder, string name, Action<FileGrainStorageOptions> configure)
    {
        builder.Services.AddFileGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds <see cref="FileGrainStorage"/> under <paramref name="name"/> to a silo's services.</summary>
    public static IServiceCollection AddFileGrainStorage(this IServiceCollection services, string name, Action<FileGrainStorageOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<FileGrainStorageOptions>(name).Configure(configure);
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(FileGrainStorageRegistration) && Equals(d.ServiceKey, name)))
        {
            return services;
        }

        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException(
                $"Another grain storage is already registered under the name '{name}'; give the file grain storage another name.");
        }

        services.AddKeyedSingleton<FileGrainStorageRegistration>(name);
        // JSON by default so that the log can be read when debugging; a serializer registered under this name wins.
        services.TryAddKeyedSingleton<IGrainStorageSerializer>(name, (sp, _) => ActivatorUtilities.CreateInstance<SystemTextJsonGrainStorageSerializer>(sp));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<FileGrainStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<FileGrainStorageOptions>>());
        services.AddTransient<IConfigurationValidator>(sp =>
            new FileGrainStorageOptionsValidator(sp.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(name), name));
        services.AddGrainStorage(name, static (sp, providerName) => ActivatorUtilities.CreateInstance<FileGrainStorage>(
            sp, providerName, sp.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(providerName)));
        return services;
    }

    /// <summary>Adds <see cref="FileRunIndex"/> as the silo's <see cref="IRunIndex"/>, opened at silo start.
    /// Calling it again adds <paramref name="configure"/> and nothing else.</summary>
    public static ISiloBuilder AddFileRunIndex(this ISiloBuilder builder, Action<FileRunIndexOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<FileRunIndexOptions>().Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(FileRunIndex)))
        {
            return builder;
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FileRunIndexOptions>>().Value;
            return new FileRunIndex(options.DataDirectory, new AppendLogOptions { Durability = options.Durability }, sp.GetService<ILogger<FileRunIndex>>());
        });
        services.AddSingleton<IRunIndex>(sp => sp.GetRequiredService<FileRunIndex>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new RunIndexLifecycle(sp));
        services.AddTransient<IConfigurationValidator>(sp => new FileStoreValidator(() =>
        {
            var options = sp.GetRequiredService<IOptions<FileRunIndexOptions>>().Value;
            DataDirectoryCheck.EnsureWritable(
                "File run index", $"{nameof(FileRunIndexOptions)}.{nameof(FileRunIndexOptions.DataDirectory)}",
                options.DataDirectory, Path.Combine(options.DataDirectory, FileRunIndex.DirectoryName));
        }));
        return builder;
    }

    /// <summary>Adds <see cref="FileStepLogStore"/> as the silo's <see cref="IStepLogStore"/>.
    /// Calling it again adds <paramref name="configure"/> and nothing else.</summary>
    public static ISiloBuilder AddFileStepLogStore(this ISiloBuilder builder, Action<FileStepLogStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<FileStepLogStoreOptions>().Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(FileStepLogStore)))
        {
            return builder;
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FileStepLogStoreOptions>>().Value;
            return new FileStepLogStore(options.DataDirectory, options.MaxOpenFiles);
        });
        services.AddSingleton<IStepLogStore>(sp => sp.GetRequiredService<FileStepLogStore>());
        services.AddTransient<IConfigurationValidator>(sp => new FileStoreValidator(() =>
        {
            var options = sp.GetRequiredService<IOptions<FileStepLogStoreOptions>>().Value;
            if (options.MaxOpenFiles < 1)
            {
                throw new OrleansConfigurationException(
                    $"File step log store: {nameof(FileStepLogStoreOptions)}.{nameof(FileStepLogStoreOptions.MaxOpenFiles)} must be at least 1 (it is {options.MaxOpenFiles}).");
            }

            DataDirectoryCheck.EnsureWritable(
                "File step log store", $"{nameof(FileStepLogStoreOptions)}.{nameof(FileStepLogStoreOptions.DataDirectory)}",
                options.DataDirectory, Path.Combine(options.DataDirectory, FileStepLogStore.DirectoryName));
        }));
        return builder;
    }

    /// <summary>A validator that runs a check.</summary>
    private sealed class FileStoreValidator(Action check) : IConfigurationValidator
    {
        public void ValidateConfiguration() => check();
    }

    /// <summary>Marks a name as registered, so that a repeated call adds nothing.</summary>
    private sealed class FileGrainStorageRegistration;
}
