namespace Orchestrator.Server.Hosting;

/// <summary>Orleans membership timings of the <c>redis</c> profile (section <c>Orchestrator:Membership</c>). The defaults
/// find a SIGKILLed silo in about a second on loopback (measured: 0.8-1.1 s, against 13.4 s with Orleans' defaults);
/// raise them on a slow or lossy network, where a too eager probe declares live silos dead.</summary>
public sealed class MembershipSettings
{
    /// <summary>How long a probe of another silo may take before it counts as missed. Default 1 s (Orleans: 5 s).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes in a row before a silo votes another dead. Default 2 (Orleans: 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>How often each silo rereads the membership table. Default 5 s (Orleans: 60 s).</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a silo writes its I-am-alive time to the table. Default 10 s (Orleans: 30 s).</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
