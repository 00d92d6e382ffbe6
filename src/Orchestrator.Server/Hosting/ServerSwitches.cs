namespace Orchestrator.Server.Hosting;

/// <summary>Short command-line switches for the settings people change most.</summary>
public static class ServerSwitches
{
    /// <summary>Switch to configuration key.</summary>
    public static IDictionary<string, string> Mappings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--profile"] = "Orchestrator:Profile",
        ["--redis"] = "Orchestrator:Redis",
        ["--silo-address"] = "Orchestrator:SiloAddress",
        ["--cluster-id"] = "Orchestrator:ClusterId",
        ["--data-dir"] = "Orchestrator:DataDirectory",
        ["--listen"] = "Orchestrator:ListenAddress",
        ["--grpc-port"] = "Orchestrator:GrpcPort",
        ["--http-port"] = "Orchestrator:HttpPort",
        ["--silo-port"] = "Orchestrator:SiloPort",
        ["--gateway-port"] = "Orchestrator:GatewayPort",
        ["--durability"] = "Orchestrator:Durability",
        ["--agent"] = "Orchestrator:Agent:Enabled",
        ["--node-name"] = "Orchestrator:Agent:Name",
        ["--simulate-gpus"] = "Orchestrator:Agent:SimulateGpus",
        ["--gpu-model"] = "Orchestrator:Agent:GpuModel",
        ["--keep-workspaces"] = "Orchestrator:Agent:KeepWorkspaces",
    };

    /// <summary>What <c>--help</c> prints.</summary>
    public const string Help = """
        Orchestrator server: silo + gRPC gateway + local node agent. The embedded profile (default) keeps state in
        files under a data directory; the redis profile joins a cluster of servers sharing one Redis (docs/cluster.md).

        Usage: Orchestrator.Server [options]   (or any Orchestrator:* key as --Orchestrator:Key=value)
          --profile embedded|redis  where state lives and how silos find each other (default embedded)
          --redis HOST:PORT       the Redis server of the redis profile (a StackExchange.Redis configuration string)
          --silo-address IP       the address other silos reach this one at (redis profile; default 127.0.0.1)
          --cluster-id ID         Orleans cluster id and Redis key prefix (default orchestrator)
          --data-dir DIR          grain state, run index, logs, artifacts (default .orch-data)
          --listen ADDR           address of the gRPC and HTTP ports (default 127.0.0.1)
          --grpc-port N           gRPC, HTTP/2 without TLS (default 7070)
          --http-port N           /metrics over HTTP/1.1 (default 7071)
          --silo-port N           Orleans silo port (default 11111)
          --gateway-port N        Orleans gateway port (default 30000)
          --durability fsync|none fsync every acknowledged change (default fsync)
          --agent true|false      run the in-process node agent (default true)
          --node-name NAME        the local node's name (default: host name)
          --simulate-gpus N       register N simulated GPUs instead of running nvidia-smi
          --gpu-model NAME        model name of simulated GPUs
          --keep-workspaces true  keep each step attempt's working directory
        """;
}
