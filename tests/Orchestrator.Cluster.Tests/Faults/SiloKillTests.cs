using System.Diagnostics;
using Orchestrator.Cluster.Tests.Harness;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Three servers (silo + gateway + local agent with 8 simulated GPUs each) on one Redis, one-GPU steps of 1 s; in each of three rounds 100 runs are in
/// flight when one silo is SIGKILLed (a different one each round, restarted before the next): every run succeeds, none
/// is lost or duplicated, no two attempts of a step are ever alive together, and an attempt killed with its node is an
/// infrastructure retry. Prints the detection time (kill -> the membership table no longer lists it active) and the
/// recovery time (kill -> every run of the round finished).</summary>
[Collection(ClusterCollection.Name)]
public sealed class SiloKillTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const int RunsPerRound = 100;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SigkillOfOneSiloInThree_ThreeRoundsUnder100Runs_EveryRunSucceedsOnceWithoutOverlappingAttempts()
    {
        await using var cluster = await RedisCluster.StartAsync(fixture.Redis, 3, [.. FastLease, "--simulate-gpus", "8"]);
        using var journal = new StepJournal();
        var membership = new Membership(fixture.Redis.Connection, cluster.ClusterId);
        var servers = cluster.Servers;
        await servers[0].Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { SpecYaml = journal.Pipeline("under-fire", halfSeconds: 2, gpus: 1) });
        foreach (var node in new[] { "node-1", "node-2", "node-3" }) await servers[0].WaitForNodeAsync(node);
        await Eventually.Until(async () => await membership.ActiveCountAsync() == 3, Bound, "three active silos in the membership table");

        for (var round = 0; round < 3; round++)
        {
            var victim = servers[round];
            var survivor = servers[(round + 1) % 3];
            var label = "round-" + Guid.NewGuid().ToString("N")[..8];
            var submitted = await SubmitAsync(servers, label);
            // Kill once steps are running, so the kill lands on live step processes (the journal proves it did below).
            await Eventually.Until(() => journal.Running() >= 2, Bound, "2 steps running");
            var running = journal.Running();

            await victim.KillHardAsync();
            var sinceKill = Stopwatch.StartNew();
            await Eventually.Until(async () => await membership.ActiveCountAsync() == 2, Bound, "the killed silo to leave the active members\n" + await membership.DumpAsync());
            var detected = sinceKill.Elapsed;
            // Restart meanwhile, as an operator or a supervisor would; the runs must not need it.
            var restart = victim.StartAgainAsync();
            var finished = await Failover.AllFinishedAsync(survivor.Runs, "fault=" + label, RunsPerRound, Bound, () => survivor.Output[^Math.Min(4000, survivor.Output.Length)..]);
            var recovered = sinceKill.Elapsed;
            await restart;

            output.WriteLine($"round {round + 1}: SIGKILL node-{round + 1} with {running} steps running; detected (membership) {detected.TotalSeconds:F1} s; every run finished {recovered.TotalSeconds:F1} s");
            Assert.Equal(submitted.Values.Order(), finished.Select(r => r.Id).Order());
            Assert.All(finished, r => Assert.Equal(RunState.Succeeded, r.State));
            Assert.All(finished, r => Assert.Equal(submitted[r.RequestId], r.Id));
            await servers[(round + 1) % 3].WaitForNodeAsync($"node-{round + 1}");
            await Eventually.Until(async () => await membership.ActiveCountAsync() == 3, Bound, "the restarted silo to be active again");
        }

        Assert.Empty(journal.Overlaps());
        await CheckKilledAttemptsAreInfrastructureRetriesAsync(servers[0].Runs, journal);
    }

    /// <summary>A short node lease, so a round takes seconds; the heartbeat stays at a quarter of it.</summary>
    internal static readonly string[] FastLease = ["--Orchestrator:HeartbeatInterval=00:00:01", "--Orchestrator:NodeLease=00:00:04"];

    private static async Task<Dictionary<string, string>> SubmitAsync(IReadOnlyList<ServerProcess> servers, string label)
    {
        var submits = Enumerable.Range(0, RunsPerRound).Select(async i =>
        {
            var request = new SubmitRunRequest { Pipeline = "under-fire", RequestId = $"{label}-{i}", Labels = { ["fault"] = label } };
            var run = await servers[i % servers.Count].Runs.SubmitRunAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            return (request.RequestId, run.Id);
        });
        var acknowledged = await Task.WhenAll(submits);
        return acknowledged.ToDictionary(a => a.RequestId, a => a.Id);
    }

    internal static async Task CheckKilledAttemptsAreInfrastructureRetriesAsync(RunService.RunServiceClient runs, StepJournal journal)
    {
        var killed = journal.Unfinished();
        Assert.NotEmpty(killed);
        foreach (var (run, step, attempt, node) in killed)
        {
            var status = (await runs.GetRunAsync(new GetRunRequest { RunId = run, OmitEvents = true })).Steps.Single(s => s.Key == step);
            var recorded = status.Attempts.Single(a => a.Number == attempt);
            Assert.True(recorded.Infrastructure, $"{run} {step} attempt {attempt} on {node} was killed with its node but is recorded as {recorded.State}: {recorded.Message}");
            Assert.True(status.Attempt > attempt, $"{run} {step} was not retried after attempt {attempt}");
        }
    }
}
