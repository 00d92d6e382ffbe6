using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Storage;
using Orchestrator.Gateway.Services;
using Prometheus;

namespace Orchestrator.Gateway.Hosting;

/// <summary>Adds and maps the gRPC gateway: our services, standard health checking and server reflection.</summary>
public static class GatewayExtensions
{
    /// <summary>Registers gRPC with the error and metrics interceptors, health checks and reflection.</summary>
    public static IServiceCollection AddOrchestratorGateway(this IServiceCollection services)
    {
        services.AddGrpc(options =>
        {
            // Metrics outermost, so they see the status the error interceptor maps to.
            options.Interceptors.Add<GrpcMetricsInterceptor>();
            options.Interceptors.Add<ErrorInterceptor>();
            options.MaxReceiveMessageSize = 4 * 1024 * 1024;
            options.EnableDetailedErrors = false;
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddCheck<SiloHealthCheck>("silo");

        // Only our own metrics and the process' basics; not the ~60 Orleans meters (see BUILD-NOTES).
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true });
        return services;
    }

    /// <summary>Maps the gRPC services (on the gRPC port) and <c>/metrics</c> (on the HTTP port).</summary>
    public static IEndpointRouteBuilder MapOrchestratorGateway(this IEndpointRouteBuilder endpoints, int grpcPort, int httpPort)
    {
        var grpcHost = $"*:{grpcPort}";
        endpoints.MapGrpcService<PipelineService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<RunService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<NodeService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<ArtifactService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<DiagnosticsService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<SchedulingService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<ModelService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<MonitoringService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<RetrainingService>().RequireHost(grpcHost);
        endpoints.MapGrpcService<RolloutService>().RequireHost(grpcHost);
        endpoints.MapGrpcHealthChecksService().RequireHost(grpcHost);
        endpoints.MapGrpcReflectionService().RequireHost(grpcHost);
        endpoints.MapMetrics("/metrics").RequireHost($"*:{httpPort}");
        RunStateGauge.Register(endpoints.ServiceProvider.GetRequiredService<IRunIndex>());
        return endpoints;
    }
}
