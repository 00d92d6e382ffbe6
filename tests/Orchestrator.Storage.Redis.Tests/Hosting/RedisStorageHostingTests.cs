using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.Redis.Artifacts;
using Orchestrator.Storage.Redis.Hosting;
using Orchestrator.Storage.Redis.RunIndex;
using Orchestrator.Storage.Redis.StepLogs;
using Orchestrator.Storage.Redis.Tests.Support;

namespace Orchestrator.Storage.Redis.Tests.Hosting;

/// <summary>Verifies the registration: the three stores resolve to the Redis implementations over one connection and
/// work, a second call adds nothing, and an empty configuration stops the host at start with a message naming the setting.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStorageHostingTests(RedisServer redis)
{
    [Fact]
    public async Task AddRedisOrchestratorStorage_RegistersTheThreeStores_Once()
    {
        var prefix = RedisServer.UniquePrefix();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRedisOrchestratorStorage(o => (o.Configuration, o.KeyPrefix) = (redis.Configuration, prefix));
        builder.Services.AddRedisOrchestratorStorage(o => o.ArtifactChunkBytes = 8192);
        using var host = builder.Build();
        await host.StartAsync();

        Assert.IsType<RedisRunIndex>(host.Services.GetRequiredService<IRunIndex>());
        Assert.IsType<RedisStepLogStore>(host.Services.GetRequiredService<IStepLogStore>());
        var artifacts = Assert.IsType<RedisArtifactStore>(host.Services.GetRequiredService<IArtifactStore>());
        Assert.Single(host.Services.GetServices<IRunIndex>());
        Assert.Equal(8192, host.Services.GetRequiredService<IOptions<RedisStorageOptions>>().Value.ArtifactChunkBytes);
        var stored = await artifacts.PutAsync(new MemoryStream([1, 2, 3]), null);
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync($"{prefix}artifact:{stored.Digest}"));
        await host.StopAsync();
    }

    [Fact]
    public async Task AnEmptyConfiguration_StopsTheHostAtStart_NamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRedisOrchestratorStorage(o => o.Configuration = " ");
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Orchestrator:Redis=127.0.0.1:6379", refused.Message);
    }
}
