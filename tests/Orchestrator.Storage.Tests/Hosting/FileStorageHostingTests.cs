using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Orchestrator.Storage.Hosting;
using Orchestrator.Storage.Tests.Support;
using Orleans.Runtime;

namespace Orchestrator.Storage.Tests.Hosting;

/// <summary>Verifies the silo registrations of the run index and step log store: they are open and usable once the
/// silo has started, keep their data across a silo restart, register once, and refuse a missing data directory.</summary>
public sealed class FileStorageHostingTests : IDisposable
{
    private static readonly StepLogKey Step = new("run-1", "train[0]", 1);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunIndexAndStepLogs_AreUsableAfterStart_AndKeepTheirDataAcrossARestart()
    {
        using (var host = await StartSiloAsync(silo => silo
            .AddFileRunIndex(o => o.DataDirectory = _dir.Path)
            .AddFileStepLogStore(o => o.DataDirectory = _dir.Path)))
        {
            var index = host.Services.GetRequiredService<IRunIndex>();
            var logs = host.Services.GetRequiredService<IStepLogStore>();
            await index.UpsertAsync(new RunSummary { Id = "run-1", Tenant = "acme", Pipeline = "train", State = RunState.Running });
            await logs.AppendAsync(Step, LogStreamKind.Stdout, Encoding.UTF8.GetBytes("hello"), DateTimeOffset.UnixEpoch);
            await logs.CompleteAsync(Step);
            await host.StopAsync();
        }

        using (var host = await StartSiloAsync(silo => silo
            .AddFileRunIndex(o => o.DataDirectory = _dir.Path)
            .AddFileStepLogStore(o => o.DataDirectory = _dir.Path)))
        {
            var index = host.Services.GetRequiredService<IRunIndex>();
            Assert.Equal(RunState.Running, (await index.GetAsync("run-1"))!.State);
            Assert.Equal(1, await index.CountActiveAsync("acme", "train"));
            var lines = new List<string>();
            await foreach (var entry in host.Services.GetRequiredService<IStepLogStore>().ReadAsync(Step, follow: true))
            {
                lines.Add(Encoding.UTF8.GetString(entry.Data.Span));
            }

            Assert.Equal(["hello"], lines);
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Start_WithoutARunIndexDataDirectory_FailsNamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<OrleansConfigurationException>(() => StartSiloAsync(silo => silo.AddFileRunIndex(_ => { })));

        Assert.Contains("FileRunIndexOptions.DataDirectory is empty", failure.Message);
    }

    [Fact]
    public async Task Start_WithoutAStepLogDataDirectory_FailsNamingTheSetting()
    {
        var failure = await Assert.ThrowsAsync<OrleansConfigurationException>(() => StartSiloAsync(silo => silo.AddFileStepLogStore(_ => { })));

        Assert.Contains("FileStepLogStoreOptions.DataDirectory is empty", failure.Message);
    }

    [Fact]
    public void Registering_Twice_RegistersEachStoreOnce()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo
            .AddFileRunIndex(o => o.DataDirectory = _dir.Path)
            .AddFileRunIndex(o => o.Durability = Durability.None)
            .AddFileStepLogStore(o => o.DataDirectory = _dir.Path)
            .AddFileStepLogStore(o => o.MaxOpenFiles = 8));

        Assert.Single(builder.Services, d => d.ServiceType == typeof(IRunIndex));
        Assert.Single(builder.Services, d => d.ServiceType == typeof(IStepLogStore));
    }

    private static async Task<IHost> StartSiloAsync(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: FreePort.Pick(), gatewayPort: FreePort.Pick());
            configure(silo);
        });
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
