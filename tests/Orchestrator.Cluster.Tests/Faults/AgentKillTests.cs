using System.Diagnostics;
using Orchestrator.Cluster.Tests.Harness;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Two servers on Redis with no local agents and two standalone agents, each given both gateways; one agent is
/// SIGKILLed while its steps run: once its node's lease expires those steps are requeued as infrastructure retries and
/// finish on the other agent, every run succeeds once, and no two attempts of a step are ever alive together (the killed
/// agent's step processes do not outlive it). Prints the time from the kill to the last run finished.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AgentKillTests(ClusterFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int Runs = 8;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly List<string> _workDirectories = [];

    [Fact]
    public async Task SigkillOfAnAgent_RequeuesItsStepsAfterTheLease_AndTheyFinishOnTheOtherAgent()
    {
        await using var cluster = await RedisCluster.StartAsync(fixture.Redis, 2, [.. SiloKillTests.FastLease, "--agent", "false"]);
        using var journal = new StepJournal();
        var (first, second) = (cluster.Servers[0], cluster.Servers[1]);
        await using var doomed = StartAgent("doomed", first, second);
        await using var steady = StartAgent("steady", second, first);
        await first.WaitForNodeAsync("doomed");
        await first.WaitForNodeAsync("steady");
        await first.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { SpecYaml = journal.Pipeline("agent-kill", halfSeconds: 4, gpus: 1) });

        var label = "kill-" + Guid.NewGuid().ToString("N")[..8];
        var submitted = new Dictionary<string, string>();
        for (var i = 0; i < Runs; i++)
        {
            var request = new SubmitRunRequest { Pipeline = "agent-kill", RequestId = $"{label}-{i}", Labels = { ["fault"] = label } };
            submitted[request.RequestId] = (await cluster.Servers[i % 2].Runs.SubmitRunAsync(request)).Id;
        }

        await Eventually.Until(() => journal.Read().Any(r => r.Kind == "start" && r.Node == "doomed"), Bound, "a step to start on the doomed agent");
        await doomed.KillHardAsync();
        var sinceKill = Stopwatch.StartNew();

        var finished = await Failover.AllFinishedAsync(second.Runs, "fault=" + label, Runs, Bound, () => steady.Output);
        output.WriteLine($"SIGKILL of an agent with steps running: every run finished {sinceKill.Elapsed.TotalSeconds:F1} s after it (node lease 4 s)");

        Assert.Equal(submitted.Values.Order(), finished.Select(r => r.Id).Order());
        Assert.All(finished, r => Assert.Equal(RunState.Succeeded, r.State));
        Assert.Empty(journal.Overlaps());
        var killed = journal.Unfinished();
        Assert.NotEmpty(killed);
        Assert.All(killed, k => Assert.Equal("doomed", k.Node));
        await SiloKillTests.CheckKilledAttemptsAreInfrastructureRetriesAsync(first.Runs, journal);
        foreach (var (run, step, _, _) in killed)
        {
            var status = (await first.Runs.GetRunAsync(new GetRunRequest { RunId = run, OmitEvents = true })).Steps.Single(s => s.Key == step);
            Assert.Equal("steady", status.Node);
        }
    }

    private ChildProcess StartAgent(string name, ServerProcess gateway, ServerProcess fallback)
    {
        var work = Path.Combine(Path.GetTempPath(), $"orch-agent-{name}-" + Guid.NewGuid().ToString("N")[..8]);
        _workDirectories.Add(work);
        return ChildProcess.StartDotnet(Repo.AgentDll,
            ["--gateway", gateway.GrpcAddress, "--gateway", fallback.GrpcAddress, "--name", name, "--simulate-gpus", "2", "--work-dir", work]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var directory in _workDirectories.Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temporary directory.
            }
        }
    }
}
