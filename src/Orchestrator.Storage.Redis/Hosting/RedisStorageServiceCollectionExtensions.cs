using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.Redis.Artifacts;
using Orchestrator.Storage.Redis.RunIndex;
using Orchestrator.Storage.Redis.StepLogs;

namespace Orchestrator.Storage.Redis.Hosting;

/// <summary>Registers the Redis run index, step log store and artifact store, sharing one connection.</summary>
public static class RedisStorageServiceCollectionExtensions
{
    /// <summary>Adds <see cref="RedisRunIndex"/>, <see cref="RedisStepLogStore"/> and <see cref="RedisArtifactStore"/> as the
    /// <see cref="IRunIndex"/>, <see cref="IStepLogStore"/> and <see cref="IArtifactStore"/>. Options are checked at start.
    /// Calling it again adds <paramref name="configure"/> and nothing else.</summary>
    public static IServiceCollection AddRedisOrchestratorStorage(this IServiceCollection services, Action<RedisStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisStorageOptions>().Configure(configure).ValidateOnStart();
        if (services.Any(d => d.ServiceType == typeof(RedisStorageConnection))) return services;

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisStorageOptions>, RedisStorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new RedisStorageConnection(sp.GetRequiredService<IOptions<RedisStorageOptions>>().Value));
        services.AddSingleton<IRunIndex>(sp => new RedisRunIndex(Connection(sp).Multiplexer, Options(sp).KeyPrefix));
        services.AddSingleton<IStepLogStore>(sp => new RedisStepLogStore(
            Connection(sp).Multiplexer, Options(sp).KeyPrefix, Options(sp).LogFollowPollInterval, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IArtifactStore>(sp => new RedisArtifactStore(Connection(sp).Multiplexer, Options(sp).KeyPrefix, Options(sp).ArtifactChunkBytes));
        return services;
    }

    private static RedisStorageConnection Connection(IServiceProvider sp) => sp.GetRequiredService<RedisStorageConnection>();

    private static RedisStorageOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<RedisStorageOptions>>().Value;

    /// <summary>Checks <see cref="RedisStorageOptions"/> at start, naming each bad setting.</summary>
    private sealed class RedisStorageOptionsValidator : IValidateOptions<RedisStorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisStorageOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
