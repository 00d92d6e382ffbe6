using System.Net;
using System.Threading.Channels;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Orchestrator.Execution.Artifacts;

namespace Orchestrator.Execution.Tests.Support;

/// <summary>A gateway for agents to talk to, hosted in the test: Kestrel with h2c on a free loopback port, the test's
/// own <c>NodeService</c> and <c>ArtifactService</c> (backed by a real file-system artifact store).</summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _storage;
    private readonly Channel<FakeAgentConnection> _connections = Channel.CreateUnbounded<FakeAgentConnection>();

    private FakeGateway(WebApplication app, TempDirectory storage, FileSystemArtifactStore artifacts)
    {
        _app = app;
        _storage = storage;
        Artifacts = artifacts;
    }

    /// <summary>The URL agents connect to.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The store behind the fake ArtifactService.</summary>
    public FileSystemArtifactStore Artifacts { get; }

    /// <summary>Heartbeat interval announced in <c>Registered</c>.</summary>
    public int HeartbeatIntervalMs { get; set; } = 60_000;

    /// <summary>Acknowledge every report as soon as it arrives.</summary>
    public bool AutoAck { get; set; } = true;

    /// <summary>Every connection so far, oldest first.</summary>
    public List<FakeAgentConnection> All { get; } = [];

    public static async Task<FakeGateway> StartAsync()
    {
        var storage = new TempDirectory();
        var artifacts = new FileSystemArtifactStore(storage.Combine("artifacts"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(artifacts);
        FakeGateway? gateway = null;
        builder.Services.AddSingleton(_ => gateway!);
        var app = builder.Build();
        gateway = new FakeGateway(app, storage, artifacts);
        app.MapGrpcService<FakeNodeService>();
        app.MapGrpcService<FakeArtifactService>();
        await app.StartAsync();
        gateway.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return gateway;
    }

    /// <summary>The next agent connection (after those already taken).</summary>
    public Task<FakeAgentConnection> NextConnectionAsync() =>
        _connections.Reader.ReadAsync().AsTask().Within("an agent to connect");

    internal void Add(FakeAgentConnection connection)
    {
        lock (All) All.Add(connection);
        _connections.Writer.TryWrite(connection);
    }

    public async ValueTask DisposeAsync()
    {
        List<FakeAgentConnection> connections;
        lock (All) connections = [.. All];
        foreach (var connection in connections) connection.Drop();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _storage.Dispose();
    }
}
