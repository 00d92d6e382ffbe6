using System.Diagnostics;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>What any gRPC client or monitoring system can rely on without our stubs: standard health checking, server
/// reflection, and /metrics in the Prometheus text format (checked by promtool).</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class ProtocolTests(EmbeddedServerFixture fixture)
{
    [Fact]
    public async Task HealthService_ReportsServing()
    {
        var reply = await new Health.HealthClient(fixture.Server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_ListsEveryService()
    {
        using var call = new ServerReflection.ServerReflectionClient(fixture.Server.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        foreach (var expected in new[]
                 {
                     "orchestrator.v1.PipelineService", "orchestrator.v1.RunService", "orchestrator.v1.NodeService",
                     "orchestrator.v1.ArtifactService", "orchestrator.v1.ModelService", "orchestrator.v1.MonitoringService", "grpc.health.v1.Health",
                 })
        {
            Assert.Contains(expected, services);
        }
    }

    [Fact]
    public async Task Metrics_PassPromtool_AndCarryRunStepNodeAndGrpcSeries()
    {
        await fixture.ApplyAsync("""
            name: metered
            steps:
              - {name: one, command: ['true'], resources: {gpus: 1}}
            """);
        await fixture.SubmitAndWaitAsync("metered");
        await fixture.Server.Nodes.ListNodesAsync(new ListNodesRequest());

        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{fixture.Server.HttpPort}/metrics");
        foreach (var series in new[]
                 {
                     "orchestrator_runs{state=\"succeeded\"}", "orchestrator_steps{state=\"running\"}", "orchestrator_step_transitions_total{state=\"succeeded\"}",
                     "orchestrator_step_duration_seconds_bucket", "orchestrator_scheduler_queue_depth{pool=\"default\"}",
                     "orchestrator_node_gpus{node=\"e2e-node\",state=\"free\"}", "orchestrator_gpu_utilization_ratio{node=\"e2e-node\",gpu=\"0\"}",
                     "orchestrator_grpc_calls_total{service=\"orchestrator.v1.RunService\",method=\"SubmitRun\",code=\"OK\"}",
                 })
        {
            Assert.Contains(series, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("microsoft_orleans", text, StringComparison.Ordinal);
        var (exit, output) = await Promtool(text);
        Assert.True(exit == 0, $"promtool check metrics failed:\n{output}");
    }

    /// <summary>Runs `promtool check metrics` on a scraped exposition.</summary>
    internal static async Task<(int Exit, string Output)> Promtool(string metrics)
    {
        var info = new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("promtool did not start; tests/run.sh installs it");
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, output);
    }
}
