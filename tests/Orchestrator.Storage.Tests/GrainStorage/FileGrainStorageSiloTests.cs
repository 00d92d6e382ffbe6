using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Storage.GrainStorage;
using Orchestrator.Storage.Hosting;
using Orchestrator.Storage.Tests.Support;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orchestrator.Storage.Tests.GrainStorage;

/// <summary>Verifies the hosting extension in a real silo: grains persist through it, their state survives a silo
/// restart, a bad data directory stops the silo with a clear message, and registering twice adds one provider.</summary>
public sealed class FileGrainStorageSiloTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task GrainState_WrittenThroughTheSilo_SurvivesARestart()
    {
        using (var host = await StartSiloAsync(o => o.DataDirectory = _dir.Path))
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var journal = grains.GetGrain<IJournalGrain>("tenant/pipeline");
            await journal.IncrementAsync();
            await journal.IncrementAsync();
            await journal.WriteEventsAsync(0, "zero");
            await journal.WriteEventsAsync(1, "one");
            var cleared = grains.GetGrain<IJournalGrain>("cleared");
            await cleared.IncrementAsync();
            await cleared.ClearCountAsync();
            await host.StopAsync();
        }

        using (var host = await StartSiloAsync(o => o.DataDirectory = _dir.Path))
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var journal = grains.GetGrain<IJournalGrain>("tenant/pipeline");
            Assert.Equal(2, await journal.GetCountAsync());
            Assert.Equal("zero", await journal.ReadEventsAsync(0));
            Assert.Equal("one", await journal.ReadEventsAsync(1));
            Assert.Null(await journal.ReadEventsAsync(2));
            Assert.Equal(0, await grains.GetGrain<IJournalGrain>("cleared").GetCountAsync());
            Assert.Equal(3, await journal.IncrementAsync());
            await host.StopAsync();
        }

        // The provider's own System.Text.Json serializer wrote it, not the silo's default: the log holds JSON.
        Assert.Contains("{\"Count\":3}", await File.ReadAllTextAsync(Path.Combine(_dir.Path, "grains", "data.log")));
    }

    [Fact]
    public async Task Start_WithoutADataDirectory_FailsNamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<OrleansConfigurationException>(() => StartSiloAsync(_ => { }));

        Assert.Contains("FileGrainStorageOptions.DataDirectory is empty", failure.Message);
    }

    [Fact]
    public async Task Start_WithADataDirectoryThatCannotBeCreated_FailsNamingIt()
    {
        var aFile = _dir.Combine("a-file");
        await File.WriteAllTextAsync(aFile, "not a directory");

        var failure = await Assert.ThrowsAsync<OrleansConfigurationException>(() => StartSiloAsync(o => o.DataDirectory = Path.Combine(aFile, "data")));

        Assert.Contains("is not writable", failure.Message);
        Assert.Contains(aFile, failure.Message);
    }

    [Fact]
    public void Registering_Twice_AddsOneProvider_AndAnotherProviderOfTheSameNameIsRefused()
    {
        var services = new ServiceCollection();

        services.AddFileGrainStorage("store", o => o.DataDirectory = _dir.Path);
        services.AddFileGrainStorage("store", o => o.Durability = Durability.None);
        services.AddKeyedSingleton<IGrainStorage>("taken", (_, _) => null!);

        Assert.Single(services, d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, "store"));
        var refused = Assert.Throws<InvalidOperationException>(() => services.AddFileGrainStorage("taken", o => o.DataDirectory = _dir.Path));
        Assert.Contains("'taken'", refused.Message);
    }

    private static async Task<IHost> StartSiloAsync(Action<FileGrainStorageOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort: FreePort.Pick(), gatewayPort: FreePort.Pick())
            .AddFileGrainStorageAsDefault(configure));
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
