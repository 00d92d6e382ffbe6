using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Storage;
using Orchestrator.Grains.Hosting;
using Orchestrator.Storage;
using Orchestrator.Storage.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Orchestrator.Grains.Tests.Support;

/// <summary>An in-process Orleans cluster composed like the server's silo (file grain storage as default, file run
/// index and step log store in one data directory, the orchestrator grains), with a client that speaks the same
/// serializer, and one fake clock that drives the grains' time and timers.</summary>
public sealed class OrchestratorCluster : IAsyncDisposable
{
    /// <summary>How often agents heartbeat (fake time).</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>A node silent this long (fake time) is lost.</summary>
    public static readonly TimeSpan NodeLease = TimeSpan.FromSeconds(3);

    /// <summary>Grace the grains give a cancelled step.</summary>
    public static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(7);

    // One service id for every cluster: a restarted cluster must find the grain state the first one wrote.
    private const string ServiceId = "orchestrator-grain-tests";

    private readonly InProcessTestCluster _cluster;

    private OrchestratorCluster(InProcessTestCluster cluster, ObservedClock clock, string dataDirectory)
    {
        _cluster = cluster;
        Clock = clock;
        DataDirectory = dataDirectory;
    }

    /// <summary>The clock every grain reads; it moves only when a test advances it.</summary>
    public ObservedClock Clock { get; }

    /// <summary>Where grain state, the run index and step logs live.</summary>
    public string DataDirectory { get; }

    /// <summary>The cluster's client: what the gateway would be.</summary>
    public IClusterClient Client => _cluster.Client;

    /// <summary>The silo's run index (read directly to check what list views and resumption see).</summary>
    public IRunIndex RunIndex => _cluster.GetSiloServiceProvider().GetRequiredService<IRunIndex>();

    /// <summary>The silo's grain storage (the default provider), read directly to check what is durable.</summary>
    public Orleans.Storage.IGrainStorage GrainStorage =>
        _cluster.GetSiloServiceProvider().GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(OrchestratorSiloExtensions.StorageName);

    /// <summary>Deactivates a grain now (as a silo failure or a migration would) and waits until it is gone.</summary>
    public Task DeactivateAsync(IAddressable grain) => _cluster.DeactivateAsync(grain);

    /// <summary>Starts one silo on <paramref name="dataDirectory"/> and a client.</summary>
    public static async Task<OrchestratorCluster> StartAsync(string dataDirectory, Durability durability = Durability.None, ObservedClock? clock = null,
        Action<SchedulingOptions>? scheduling = null)
    {
        clock ??= new ObservedClock(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = ServiceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureHost(host => host.Logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureSilo((_, silo) =>
        {
            // Grain time and grain timers follow the fake clock; membership, messaging and other runtime loops keep real time.
            silo.Services.AddSingleton<TimeProvider>(clock);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.AddFileGrainStorageAsDefault(o =>
            {
                o.DataDirectory = dataDirectory;
                o.Durability = durability;
            });
            silo.AddFileRunIndex(o =>
            {
                o.DataDirectory = dataDirectory;
                o.Durability = durability;
            });
            silo.AddFileStepLogStore(o => o.DataDirectory = dataDirectory);
            silo.AddOrchestratorGrains(o =>
            {
                o.HeartbeatInterval = HeartbeatInterval;
                o.NodeLease = NodeLease;
                o.CancelGrace = CancelGrace;
                // Out of the way of tests that advance the clock; the first sweep at start-up still runs.
                o.ResumeSweepInterval = TimeSpan.FromDays(1);
            });
            if (scheduling is not null) silo.Services.Configure(scheduling);
        });
        // Core types cross grain calls as JSON (as the silo registers them); the client must agree.
        builder.ConfigureClient(client => client.Services.AddSerializer(s => s.AddJsonSerializer(isSupported: IsCoreType)));

        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new OrchestratorCluster(cluster, clock, dataDirectory);
    }

    /// <summary>Stops the silo gracefully (grains deactivate, stores close) and the client.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _cluster.StopAllSilosAsync();
        }
        finally
        {
            await _cluster.DisposeAsync();
        }
    }

    private static bool IsCoreType(Type type) => type.Namespace?.StartsWith("Orchestrator.Core", StringComparison.Ordinal) == true;
}
