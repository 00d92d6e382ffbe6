namespace Orchestrator.Core.Scheduling;

/// <summary>How a field path of the scheduling configuration is written in an error.</summary>
public enum ConfigFieldStyle
{
    /// <summary>As the admin RPC names it: <c>tenants[1].quotas.h200.gpus</c>.</summary>
    Proto,

    /// <summary>As the server configuration names it: <c>Orchestrator:Scheduling:Tenants:1:Quotas:h200:Gpus</c>.</summary>
    Configuration,
}
