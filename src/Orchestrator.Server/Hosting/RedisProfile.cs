using System.Net;
using Orchestrator.Grains.Hosting;
using Orchestrator.Storage.Redis.Hosting;
using Orleans.Configuration;
using Orleans.Storage;
using StackExchange.Redis;

namespace Orchestrator.Server.Hosting;

/// <summary>The Redis profile: one silo of a cluster whose membership, grain state and reminders are in Redis, and whose
/// run index, step logs and artifacts are too, so any silo's gateway serves any request. See docs/cluster.md.</summary>
internal static class RedisProfile
{
    /// <summary>Registers the silo and the stores.</summary>
    public static void AddRedisProfile(this WebApplicationBuilder builder, ServerSettings settings)
    {
        var redis = settings.Redis!;
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = ServerExtensions.ServiceId;
            });
            var listenAny = settings.ListenAddress is "0.0.0.0" or "::";
            silo.ConfigureEndpoints(IPAddress.Parse(settings.SiloAddress), settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: listenAny);
            silo.UseRedisClustering(o => o.ConfigurationOptions = Configuration(redis));
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = settings.Membership.ProbeTimeout;
                o.NumMissedProbesLimit = settings.Membership.NumMissedProbesLimit;
                o.TableRefreshTimeout = settings.Membership.TableRefreshTimeout;
                o.IAmAliveTablePublishTimeout = settings.Membership.IAmAliveTablePublishTimeout;
            });
            // Every grain uses the default storage (state names such as "run-def" and "node" are keys under it, not
            // provider names), so one provider covers them all. JSON, as in the file storage, so state reads the same.
            silo.AddRedisGrainStorageAsDefault(o => o.ConfigurationOptions = Configuration(redis));
            silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(OrchestratorSiloExtensions.StorageName,
                (sp, _) => ActivatorUtilities.CreateInstance<SystemTextJsonGrainStorageSerializer>(sp));
            silo.UseRedisReminderService(o => o.ConfigurationOptions = Configuration(redis));
            silo.AddOrchestratorGrains();
            // In a pod: the silo's name, address and cluster ids from the pod (after the endpoints above, so they win).
            silo.UseKubernetesHostingWhenEnabled(settings.Kubernetes);
        });
        builder.Services.AddRedisOrchestratorStorage(o =>
        {
            o.Configuration = redis;
            o.KeyPrefix = $"orch:{settings.ClusterId}:";
        });
    }

    /// <summary>A fresh parse per provider: StackExchange.Redis options are mutable, and each provider owns its connection.</summary>
    private static ConfigurationOptions Configuration(string redis)
    {
        var options = ConfigurationOptions.Parse(redis);
        // Ride out a Redis restart instead of failing start-up or giving up on the connection.
        options.AbortOnConnectFail = false;
        return options;
    }
}
