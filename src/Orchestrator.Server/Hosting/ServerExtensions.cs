using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orchestrator.Execution.Agent;
using Orchestrator.Gateway.Hosting;

namespace Orchestrator.Server.Hosting;

/// <summary>Composes the server: endpoints, the profile's silo and stores (<see cref="EmbeddedProfile"/> or
/// <see cref="RedisProfile"/>), the gRPC gateway and the in-process node agent.</summary>
public static class ServerExtensions
{
    /// <summary>The Orleans service id of every profile.</summary>
    public const string ServiceId = "orchestrator";

    /// <summary>Reads the settings and registers everything; returns the settings for mapping endpoints.</summary>
    public static ServerSettings AddOrchestratorServer(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Orchestrator").Get<ServerSettings>() ?? new ServerSettings();
        var problems = ServerSettingsCheck.Problems(settings).ToList();
        if (problems.Count > 0) throw new InvalidOperationException("Invalid server settings:\n  " + string.Join("\n  ", problems));

        var dataDirectory = Path.GetFullPath(settings.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var address = IPAddress.Parse(settings.ListenAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Plain-text gRPC needs an HTTP/2-only endpoint; /metrics stays on HTTP/1.1 (see BUILD-NOTES).
            kestrel.Listen(address, settings.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(address, settings.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        // The embedded agent reads and writes the server's artifact directory directly; in a cluster the artifacts
        // live in Redis, so the agent moves them through its gateway like a standalone agent.
        string? localArtifacts = null;
        if (settings.Profile.Equals(ServerSettings.RedisProfile, StringComparison.OrdinalIgnoreCase)) builder.AddRedisProfile(settings);
        else localArtifacts = builder.AddEmbeddedProfile(settings, dataDirectory);

        builder.Services.AddOrchestratorGateway();
        if (settings.Agent.Enabled) builder.AddLocalAgent(settings, address, dataDirectory, localArtifacts);
        return settings;
    }

    private static void AddLocalAgent(this WebApplicationBuilder builder, ServerSettings settings, IPAddress address, string dataDirectory, string? localArtifacts)
    {
        var local = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : settings.ListenAddress;
        builder.Services.AddNodeAgent(agent =>
        {
            agent.Gateways.Add($"http://{local}:{settings.GrpcPort}");
            if (!string.IsNullOrEmpty(settings.Agent.Name)) agent.NodeName = settings.Agent.Name;
            agent.WorkDirectory = Path.Combine(dataDirectory, "agent");
            agent.LocalArtifactsDirectory = localArtifacts;
            agent.SimulatedGpus = settings.Agent.SimulateGpus;
            if (!string.IsNullOrEmpty(settings.Agent.GpuModel)) agent.SimulatedGpuModel = settings.Agent.GpuModel;
            if (!string.IsNullOrEmpty(settings.Agent.AdvertiseAddress)) agent.AdvertiseAddress = settings.Agent.AdvertiseAddress;
            agent.KeepWorkspaces = settings.Agent.KeepWorkspaces;
        });
    }
}
