namespace Orchestrator.Execution.Agent;

/// <summary>How a node agent connects, what it announces, and where it works.</summary>
public sealed class AgentOptions
{
    /// <summary>Gateway URLs (<c>http://host:port</c>, or https), tried in turn until one accepts the connection. Required.</summary>
    public List<string> Gateways { get; } = [];

    /// <summary>The node's name: lowercase letters, digits, '-' and '.', 1-63 characters. Default: the host name, lowercased.</summary>
    public string NodeName { get; set; } = HostFacts.DefaultNodeName();

    /// <summary>Where the other nodes of a gang reach this one (MASTER_ADDR when its replica 0 runs here): a host name or
    /// IP address. Default: the host name.</summary>
    public string AdvertiseAddress { get; set; } = Environment.MachineName;

    /// <summary>Labels the scheduler can select on (e.g. <c>zone=eu-1</c>).</summary>
    public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    /// <summary>CPU to offer, in thousandths of a core. Default: every core (ProcessorCount × 1000).</summary>
    public long CpuMillis { get; set; } = Environment.ProcessorCount * 1000L;

    /// <summary>Memory to offer, in bytes. Default: MemTotal from /proc/meminfo (0 where there is none: then set it).</summary>
    public long MemoryBytes { get; set; } = HostFacts.TotalMemoryBytes();

    /// <summary>Where attempt workspaces are created. Default: <c>./.orch-agent</c>.</summary>
    public string WorkDirectory { get; set; } = "./.orch-agent";

    /// <summary>Heartbeat period used when the gateway does not set one in <c>Registered</c>. Default: 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time between SIGTERM and SIGKILL when a step times out, or is cancelled without a grace of its own. Default: 10 s.</summary>
    public TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a graceful stop waits for the control plane to acknowledge the final reports. Default: 5 s.</summary>
    public TimeSpan FinalAckWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Keep attempt directories after reporting (for debugging). Default: false, they are removed.</summary>
    public bool KeepWorkspaces { get; set; }

    /// <summary>An artifact store directory this agent shares with the control plane (the embedded server's own store);
    /// null (the default) uploads and downloads artifacts through the gateway's ArtifactService.</summary>
    public string? LocalArtifactsDirectory { get; set; }

    /// <summary>Pretend GPUs to register instead of discovering real ones; 0 (the default) runs nvidia-smi.</summary>
    public int SimulatedGpus { get; set; }

    /// <summary>Model name of the simulated GPUs. Default: "Simulated GPU".</summary>
    public string SimulatedGpuModel { get; set; } = Gpus.SimulatedGpus.DefaultModel;

    /// <summary>Memory of each simulated GPU in bytes. Default: 80 GiB.</summary>
    public long SimulatedGpuMemoryBytes { get; set; } = Gpus.SimulatedGpus.DefaultMemoryBytes;

    /// <summary>First delay before reconnecting after a failed connection; doubles per failure. Default: 0.2 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap on the reconnect delay. Default: 5 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);
}
