namespace Orchestrator.Server.Hosting;

/// <summary>How the server runs (configuration section <c>Orchestrator</c>; every key also has a command-line switch,
/// see <see cref="ServerSwitches"/>). Defaults give the embedded profile: one machine, files under ./.orch-data.</summary>
public sealed class ServerSettings
{
    /// <summary>The embedded profile: one machine, state in files. The default.</summary>
    public const string EmbeddedProfile = "embedded";

    /// <summary>The Redis profile: several silos in one Orleans cluster, state in Redis.</summary>
    public const string RedisProfile = "redis";

    /// <summary><c>embedded</c> (default) or <c>redis</c>; see docs/cluster.md.</summary>
    public string Profile { get; set; } = EmbeddedProfile;

    /// <summary>The Redis server of the <c>redis</c> profile, as a StackExchange.Redis configuration string
    /// (e.g. <c>127.0.0.1:6379</c>). Clustering, grain state, reminders, the run index, logs and artifacts all go there.</summary>
    public string? Redis { get; set; }

    /// <summary>The IP address other silos reach this one at (<c>redis</c> profile). Default 127.0.0.1.</summary>
    public string SiloAddress { get; set; } = "127.0.0.1";

    /// <summary>How fast a dead silo is found (<c>redis</c> profile).</summary>
    public MembershipSettings Membership { get; set; } = new();

    /// <summary>Where grain state, the run index, step logs, artifacts and agent workspaces live (in the <c>redis</c>
    /// profile only agent workspaces). Default <c>.orch-data</c>.</summary>
    public string DataDirectory { get; set; } = ".orch-data";

    /// <summary>Address the gRPC and HTTP ports listen on. Default 127.0.0.1 (use 0.0.0.0 in a container).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>gRPC (HTTP/2 without TLS). Default 7070.</summary>
    public int GrpcPort { get; set; } = 7070;

    /// <summary>HTTP/1.1 for <c>/metrics</c>. Default 7071.</summary>
    public int HttpPort { get; set; } = 7071;

    /// <summary>Orleans silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id; in the <c>redis</c> profile also the prefix of the service's own keys. Default <c>orchestrator</c>.</summary>
    public string ClusterId { get; set; } = "orchestrator";

    /// <summary><c>fsync</c> (default): every acknowledged change is on disk. <c>none</c>: the OS decides (tests, benchmarks of the rest).</summary>
    public string Durability { get; set; } = "fsync";

    /// <summary>The in-process node agent.</summary>
    public LocalAgentSettings Agent { get; set; } = new();

    /// <summary>Running inside a Kubernetes cluster.</summary>
    public KubernetesSettings Kubernetes { get; set; } = new();
}

/// <summary>The node agent the embedded server runs in-process (section <c>Orchestrator:Agent</c>).</summary>
public sealed class LocalAgentSettings
{
    /// <summary>Run it. Default true; false for a control plane whose agents run elsewhere.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Node name. Default: the host name.</summary>
    public string? Name { get; set; }

    /// <summary>Register this many simulated GPUs instead of discovering real ones (nvidia-smi). Default 0.</summary>
    public int SimulateGpus { get; set; }

    /// <summary>Model of the simulated GPUs. Default "Simulated GPU".</summary>
    public string? GpuModel { get; set; }

    /// <summary>Where other nodes reach this one when a multi-replica step's replica 0 runs here (MASTER_ADDR). Default: the host name.</summary>
    public string? AdvertiseAddress { get; set; }

    /// <summary>Keep each attempt's working directory after it ends (debugging). Default false.</summary>
    public bool KeepWorkspaces { get; set; }
}
