using System.Net;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Cli.Tests.Support;

/// <summary>A real gRPC server (Kestrel, plaintext HTTP/2, a free port on 127.0.0.1) serving the fake services.</summary>
public sealed class FakeOrchestratorServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeOrchestratorServer(WebApplication app, string address)
    {
        this.app = app;
        Address = address;
    }

    /// <summary>What the server answers and what it was asked.</summary>
    public FakeBackend Backend => app.Services.GetRequiredService<FakeBackend>();

    /// <summary>The server's URL, e.g. http://127.0.0.1:41234.</summary>
    public string Address { get; }

    /// <summary>Starts a server on a port the OS picks.</summary>
    public static async Task<FakeOrchestratorServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<FakeBackend>();
        var app = builder.Build();
        app.MapGrpcService<FakePipelineService>();
        app.MapGrpcService<FakeRunService>();
        app.MapGrpcService<FakeNodeService>();
        app.MapGrpcService<FakeSchedulingService>();
        app.MapGrpcService<FakeModelService>();
        app.MapGrpcService<FakeRolloutService>();
        app.MapGrpcService<FakeRetrainingService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeOrchestratorServer(app, address);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
