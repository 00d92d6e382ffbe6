using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestrator.Grains.Scheduling;

namespace Orchestrator.Gateway.Hosting;

/// <summary>Healthy when a grain call round-trips: the silo is up and the gateway can reach it.</summary>
public sealed class SiloHealthCheck(IGrainFactory grains) : IHealthCheck
{
    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var status = await grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"{status.SchedulableNodes}/{status.Nodes} node(s) schedulable, {status.Queued} step(s) queued");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("the silo did not answer", e);
        }
    }
}
