using System.Diagnostics;
using Grpc.Core;
using Orchestrator.Cluster.Tests.Harness;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;
using Orchestrator.Storage.Redis.Tests.Support;
using Xunit.Abstractions;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Redis (append-only, fsync on every write) is SIGKILLed while two servers run work, stays down until the
/// servers notice, and is started again on its file: the cluster answers again, every run acknowledged before the crash
/// is still there and succeeds once, no two attempts of a step are alive together, and runs submitted afterwards
/// succeed too. Prints the outage and the time from the restart to the first answered call.</summary>
public sealed class RedisRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Runs = 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly RedisServer _redis = new("always");

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task RedisCrashAndRestart_DuringWork_LosesNoAcknowledgedRun_AndTheClusterRecovers()
    {
        await using var cluster = await RedisCluster.StartAsync(_redis, 2, [.. SiloKillTests.FastLease]);
        using var journal = new StepJournal();
        var servers = cluster.Servers;
        await servers[0].Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { SpecYaml = journal.Pipeline("redis-crash", halfSeconds: 2, gpus: 1) });
        var label = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var acknowledged = await SubmitAsync(servers, label, 0, Runs);
        await Eventually.Until(() => journal.Running() >= 1, Bound, "a step to run");

        await _redis.KillAsync();
        var outage = Stopwatch.StartNew();
        // The servers notice: a call that needs storage fails (no sleeping: wait for the failure itself).
        await Eventually.Until(async () =>
        {
            try
            {
                await servers[0].Runs.ListRunsAsync(new ListRunsRequest { PageSize = 1 }, deadline: DateTime.UtcNow.AddSeconds(5));
                return false;
            }
            catch (RpcException)
            {
                return true;
            }
        }, Bound, "a call to fail while Redis is down");
        var noticed = outage.Elapsed;

        await _redis.StartAsync();
        var sinceRestart = Stopwatch.StartNew();
        await Failover.RetryAsync(() => servers[1].Runs.ListRunsAsync(new ListRunsRequest { PageSize = 1 }, deadline: DateTime.UtcNow.AddSeconds(5)).ResponseAsync,
            Bound, "a call to succeed once Redis is back");
        var answering = sinceRestart.Elapsed;
        var later = await SubmitAsync(servers, label, Runs, 5);

        var finished = await Failover.AllFinishedAsync(servers[1].Runs, "fault=" + label, Runs + 5, Bound, () => servers[0].Output[^Math.Min(4000, servers[0].Output.Length)..]);
        output.WriteLine($"Redis SIGKILLed: the servers noticed after {noticed.TotalSeconds:F1} s; after the restart calls were answered within {answering.TotalSeconds:F1} s; every run finished {sinceRestart.Elapsed.TotalSeconds:F1} s after the restart");

        Assert.Equal(acknowledged.Values.Concat(later.Values).Order(), finished.Select(r => r.Id).Order());
        Assert.All(finished, r => Assert.Equal(RunState.Succeeded, r.State));
        Assert.Empty(journal.Overlaps());
    }

    private static async Task<Dictionary<string, string>> SubmitAsync(IReadOnlyList<ServerProcess> servers, string label, int from, int count)
    {
        var acknowledged = new Dictionary<string, string>();
        for (var i = from; i < from + count; i++)
        {
            var request = new SubmitRunRequest { Pipeline = "redis-crash", RequestId = $"{label}-{i}", Labels = { ["fault"] = label } };
            acknowledged[request.RequestId] = (await Failover.RetryAsync(
                () => servers[i % servers.Count].Runs.SubmitRunAsync(request, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync, Bound, "a submit")).Id;
        }

        return acknowledged;
    }
}
