using System.Net;

namespace Orchestrator.Server.Hosting;

/// <summary>What is wrong with a <see cref="ServerSettings"/>, each problem naming the key, its switch and the fix.</summary>
internal static class ServerSettingsCheck
{
    /// <summary>Every problem; empty when the settings are usable.</summary>
    public static IEnumerable<string> Problems(ServerSettings s)
    {
        var redisProfile = s.Profile.Equals(ServerSettings.RedisProfile, StringComparison.OrdinalIgnoreCase);
        if (!redisProfile && !s.Profile.Equals(ServerSettings.EmbeddedProfile, StringComparison.OrdinalIgnoreCase))
            yield return $"Orchestrator:Profile (--profile) '{s.Profile}' is not embedded or redis";
        if (redisProfile && string.IsNullOrWhiteSpace(s.Redis))
            yield return "Orchestrator:Redis (--redis) is required by the redis profile: give the Redis server, e.g. --redis 127.0.0.1:6379";
        if (redisProfile && !string.IsNullOrWhiteSpace(s.Redis) && RedisConfigurationProblem(s.Redis) is { } redis) yield return redis;
        if (s.Kubernetes.Hosting && !redisProfile)
            yield return "Orchestrator:Kubernetes:Hosting needs the redis profile (a cluster of silos); set Orchestrator:Profile (--profile) to redis, or turn Kubernetes hosting off";
        if (string.IsNullOrWhiteSpace(s.DataDirectory)) yield return "Orchestrator:DataDirectory (--data-dir) is empty; give a directory, e.g. .orch-data";
        if (!IPAddress.TryParse(s.ListenAddress, out _)) yield return $"Orchestrator:ListenAddress (--listen) '{s.ListenAddress}' is not an IP address; use e.g. 127.0.0.1 or 0.0.0.0";
        if (!IPAddress.TryParse(s.SiloAddress, out var silo) || silo.Equals(IPAddress.Any) || silo.Equals(IPAddress.IPv6Any))
            yield return $"Orchestrator:SiloAddress (--silo-address) '{s.SiloAddress}' is not an address other silos can reach; give this host's IP, e.g. 127.0.0.1 or 10.0.0.5";
        foreach (var (name, port) in new[] { ("GrpcPort (--grpc-port)", s.GrpcPort), ("HttpPort (--http-port)", s.HttpPort), ("SiloPort (--silo-port)", s.SiloPort), ("GatewayPort (--gateway-port)", s.GatewayPort) })
        {
            if (port is < 1 or > 65535) yield return $"Orchestrator:{name} {port} is not a port (1-65535)";
        }

        if (new[] { s.GrpcPort, s.HttpPort, s.SiloPort, s.GatewayPort }.Distinct().Count() < 4) yield return "the gRPC, HTTP, silo and gateway ports must all differ";
        if (!s.Durability.Equals("fsync", StringComparison.OrdinalIgnoreCase) && !s.Durability.Equals("none", StringComparison.OrdinalIgnoreCase))
            yield return $"Orchestrator:Durability (--durability) '{s.Durability}' is not fsync or none";
        if (s.Agent.SimulateGpus is < 0 or > 64) yield return $"Orchestrator:Agent:SimulateGpus (--simulate-gpus) {s.Agent.SimulateGpus} is out of range 0..64";
        var m = s.Membership;
        if (m.ProbeTimeout <= TimeSpan.Zero) yield return $"Orchestrator:Membership:ProbeTimeout {m.ProbeTimeout} must be positive, e.g. 00:00:01";
        if (m.NumMissedProbesLimit < 1) yield return $"Orchestrator:Membership:NumMissedProbesLimit {m.NumMissedProbesLimit} must be at least 1";
        if (m.TableRefreshTimeout <= TimeSpan.Zero) yield return $"Orchestrator:Membership:TableRefreshTimeout {m.TableRefreshTimeout} must be positive, e.g. 00:00:05";
        if (m.IAmAliveTablePublishTimeout <= TimeSpan.Zero) yield return $"Orchestrator:Membership:IAmAliveTablePublishTimeout {m.IAmAliveTablePublishTimeout} must be positive, e.g. 00:00:10";
    }

    private static string? RedisConfigurationProblem(string redis)
    {
        try
        {
            var options = StackExchange.Redis.ConfigurationOptions.Parse(redis);
            return options.EndPoints.Count == 0 ? $"Orchestrator:Redis (--redis) '{redis}' names no server; give host:port, e.g. 127.0.0.1:6379" : null;
        }
        catch (ArgumentException e)
        {
            return $"Orchestrator:Redis (--redis) '{redis}' is not a StackExchange.Redis configuration string ({e.Message}); give host:port, e.g. 127.0.0.1:6379";
        }
    }
}
