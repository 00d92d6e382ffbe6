using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Scheduling;
using Orchestrator.Grains.Pipelines;
using Orleans.Providers;
using Orleans.Serialization;

namespace Orchestrator.Grains.Hosting;

/// <summary>Adds the control plane's grains and their services to a silo.</summary>
public static class OrchestratorSiloExtensions
{
    /// <summary>The grain storage provider every grain uses (the silo's default one).</summary>
    public const string StorageName = ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME;

    /// <summary>Registers options, the placement policy, the pipeline cache, the serializer for Core types and the
    /// service that resumes unfinished runs after a restart. Idempotent. The caller adds grain storage (named
    /// <see cref="StorageName"/>) and an <see cref="Core.Storage.IRunIndex"/> and <see cref="Core.Storage.IStepLogStore"/>.</summary>
    public static ISiloBuilder AddOrchestratorGrains(this ISiloBuilder builder, Action<OrchestratorOptions>? configure = null)
    {
        var services = builder.Services;
        var options = services.AddOptions<OrchestratorOptions>().BindConfiguration(OrchestratorOptions.Section);
        if (configure is not null) options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestratorOptions>, OrchestratorOptionsValidator>());
        services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulingOptions>, SchedulingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PipelineDefinitionCache>();
        if (!services.Any(s => s.ImplementationType == typeof(RunResumptionService)))
        {
            services.AddHostedService<RunResumptionService>();
            // Core types (specs, events, plans) carry no Orleans attributes: they cross silos as JSON, and inside a
            // silo they are immutable, so they are passed by reference instead of copied.
            services.AddSerializer(s => s.AddJsonSerializer(isSerializable: IsCoreType, isCopyable: null));
            services.AddSingleton<Orleans.Serialization.Cloning.IGeneralizedCopier, ImmutableCoreTypeCopier>();
        }

        return builder;
    }

    /// <summary>True for the types of Orchestrator.Core.</summary>
    internal static bool IsCoreType(Type type) => type.Namespace?.StartsWith("Orchestrator.Core", StringComparison.Ordinal) == true;
}
