using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Storage.GrainStorage;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Orchestrator.Storage.Hosting;

/// <summary>Registers the file-based grain storage on a silo.</summary>
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

    /// <summary>Marks a name as registered, so that a repeated call adds nothing.</summary>
    private sealed class FileGrainStorageRegistration;
}
