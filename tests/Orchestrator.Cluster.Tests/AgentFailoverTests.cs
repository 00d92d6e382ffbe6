using Grpc.Core;
using Orchestrator.Cluster.Tests.Harness;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace Orchestrator.Cluster.Tests;

/// <summary>A standalone agent given two gateways of one cluster moves to the second when the first server is
/// SIGKILLed: the node stays ready, seen through the survivor, and a run submitted there completes on that node.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AgentFailoverTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Agent_WhoseGatewayDies_ReconnectsToTheNextGateway_AndRunsTheNextStep()
    {
        // Servers without local agents, so a step can only run on the standalone agent.
        await using var cluster = await RedisCluster.StartAsync(fixture.Redis, 2, "--agent", "false");
        var (first, survivor) = (cluster.Servers[0], cluster.Servers[1]);
        var work = Path.Combine(Path.GetTempPath(), "orch-agent-" + Guid.NewGuid().ToString("N")[..8]);
        await using var agent = ChildProcess.StartDotnet(Repo.AgentDll,
        [
            "--gateway", first.GrpcAddress, "--gateway", survivor.GrpcAddress, "--name", "roamer", "--simulate-gpus", "1", "--work-dir", work,
        ]);
        await survivor.WaitForNodeAsync("roamer");
        await Eventually.Until(() => agent.Output.Contains($"Registered with {first.GrpcAddress}", StringComparison.Ordinal),
            Bound, "the agent to register through the first gateway\n" + agent.Output);

        await first.KillHardAsync();
        var sinceKill = System.Diagnostics.Stopwatch.StartNew();

        await Eventually.Until(() => agent.Output.Contains($"Registered with {survivor.GrpcAddress}", StringComparison.Ordinal),
            Bound, "the agent to register through the surviving gateway\n" + agent.Output);
        var reregistered = sinceKill.Elapsed;
        // Until the membership declares the killed silo dead (a second or two), a call to a grain that lived there is
        // rejected with UNAVAILABLE: the client retries, as any client of a cluster in failover does.
        await Eventually.Until(async () =>
        {
            try
            {
                return await survivor.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
                {
                    SpecYaml = """
                        name: after-failover
                        steps:
                          - name: work
                            resources: {gpus: 1}
                            command: [sh, -c, 'echo "on $CUDA_VISIBLE_DEVICES"']
                        """,
                });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                return null;
            }
        }, Bound, "the pipeline to be created once the dead silo is declared\n" + agent.Output);
        var run = await survivor.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "after-failover" });
        var done = await Eventually.Until(async () =>
        {
            var r = await survivor.Runs.GetRunAsync(new GetRunRequest { RunId = run.Id });
            return r.State is RunState.Succeeded or RunState.Failed ? r : null;
        }, Bound, "the run to finish on the agent after the failover\n" + agent.Output);

        output.WriteLine($"SIGKILL -> registered through the survivor: {reregistered.TotalSeconds:F1} s; -> run done on the agent: {sinceKill.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(RunState.Succeeded, done.State);
        Assert.Equal("roamer", done.Steps.Single().Node);
        Assert.Contains("on 0", await Logs.ReadAsync(survivor.Runs, run.Id, "work"), StringComparison.Ordinal);
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
