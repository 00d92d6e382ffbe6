using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orchestrator.Core.Storage;
using Orchestrator.Execution.Agent;
using Orchestrator.Execution.Artifacts;
using Orchestrator.Gateway.Hosting;
using Orchestrator.Grains.Hosting;
using Orchestrator.Storage;
using Orchestrator.Storage.Hosting;

namespace Orchestrator.Server.Hosting;

/// <summary>Composes the embedded profile: silo with file storage, gRPC gateway, in-process node agent.</summary>
public static class ServerExtensions
{
    /// <summary>Reads the settings and registers everything; returns the settings for mapping endpoints.</summary>
    public static ServerSettings AddOrchestratorServer(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Orchestrator").Get<ServerSettings>() ?? new ServerSettings();
        var problems = Check(settings).ToList();
        if (problems.Count > 0) throw new InvalidOperationException("Invalid server settings:\n  " + string.Join("\n  ", problems));

        var dataDirectory = Path.GetFullPath(settings.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var durability = settings.Durability.Equals("none", StringComparison.OrdinalIgnoreCase) ? Durability.None : Durability.Fsync;
        var address = IPAddress.Parse(settings.ListenAddress);
        var artifacts = Path.Combine(dataDirectory, "artifacts");

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Plain-text gRPC needs an HTTP/2-only endpoint; /metrics stays on HTTP/1.1 (see BUILD-NOTES).
            kestrel.Listen(address, settings.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(address, settings.HttpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: "orchestrator", clusterId: settings.ClusterId);
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
            silo.AddOrchestratorGrains();
            silo.UseKubernetesHostingWhenEnabled(settings.Kubernetes);
        });

        builder.Services.AddSingleton<IArtifactStore>(new FileSystemArtifactStore(artifacts));
        builder.Services.AddOrchestratorGateway();

        if (settings.Agent.Enabled)
        {
            var local = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : settings.ListenAddress;
            builder.Services.AddNodeAgent(agent =>
            {
                agent.Gateways.Add($"http://{local}:{settings.GrpcPort}");
                if (!string.IsNullOrEmpty(settings.Agent.Name)) agent.NodeName = settings.Agent.Name;
                agent.WorkDirectory = Path.Combine(dataDirectory, "agent");
                agent.LocalArtifactsDirectory = artifacts;
                agent.SimulatedGpus = settings.Agent.SimulateGpus;
                if (!string.IsNullOrEmpty(settings.Agent.GpuModel)) agent.SimulatedGpuModel = settings.Agent.GpuModel;
                if (!string.IsNullOrEmpty(settings.Agent.AdvertiseAddress)) agent.AdvertiseAddress = settings.Agent.AdvertiseAddress;
                agent.KeepWorkspaces = settings.Agent.KeepWorkspaces;
            });
        }

        return settings;
    }

    private static IEnumerable<string> Check(ServerSettings s)
    {
        if (string.IsNullOrWhiteSpace(s.DataDirectory)) yield return "Orchestrator:DataDirectory (--data-dir) is empty; give a directory, e.g. .orch-data";
        if (!IPAddress.TryParse(s.ListenAddress, out _)) yield return $"Orchestrator:ListenAddress (--listen) '{s.ListenAddress}' is not an IP address; use e.g. 127.0.0.1 or 0.0.0.0";
        foreach (var (name, port) in new[] { ("GrpcPort (--grpc-port)", s.GrpcPort), ("HttpPort (--http-port)", s.HttpPort), ("SiloPort (--silo-port)", s.SiloPort), ("GatewayPort (--gateway-port)", s.GatewayPort) })
        {
            if (port is < 1 or > 65535) yield return $"Orchestrator:{name} {port} is not a port (1-65535)";
        }

        if (new[] { s.GrpcPort, s.HttpPort, s.SiloPort, s.GatewayPort }.Distinct().Count() < 4) yield return "the gRPC, HTTP, silo and gateway ports must all differ";
        if (!s.Durability.Equals("fsync", StringComparison.OrdinalIgnoreCase) && !s.Durability.Equals("none", StringComparison.OrdinalIgnoreCase))
            yield return $"Orchestrator:Durability (--durability) '{s.Durability}' is not fsync or none";
        if (s.Agent.SimulateGpus is < 0 or > 64) yield return $"Orchestrator:Agent:SimulateGpus (--simulate-gpus) {s.Agent.SimulateGpus} is out of range 0..64";
    }
}
