using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A control plane and two standalone agents of 4 simulated GPUs each, advertising 127.0.0.1: a step of 2
/// replicas x 4 GPUs fits on no single node, so it is placed across both; its two processes find each other through
/// RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT over a real TCP socket, each writes its own log, and replica 0's output
/// is the step's. When one replica fails, the other is stopped (SIGTERM) and the step fails with the replica named. And
/// the scenario: a quota owner's high-priority gang preempts borrowed work on both agents, and every step of
/// both runs still completes.</summary>
public sealed class GangTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    /// <summary>Rank 0 listens on the rendezvous and records what every other rank sends it; the others connect
    /// (retrying while rank 0 starts, as torch.distributed does) and say who they are.</summary>
    private const string Rendezvous = """
        import os, socket, sys, time
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        addr, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
        print(f"rank {rank} of {world} on {os.environ['ORCH_NODE']} gpus {os.environ['CUDA_VISIBLE_DEVICES']} master {addr}:{port}", flush=True)
        if rank == 0:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port))
            s.listen()
            s.settimeout(60)
            got = []
            for _ in range(world - 1):
                c, _ = s.accept()
                got.append(c.recv(200).decode())
                c.close()
            open(sys.argv[1], "w").write(";".join(sorted(got)))
        else:
            deadline = time.time() + 60
            while True:
                try:
                    c = socket.create_connection((addr, port), timeout=5)
                    break
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.1)
            c.sendall(f"rank {rank} from {os.environ['ORCH_NODE']}".encode())
            c.close()
        """;

    [Fact]
    public async Task TwoReplicaGang_SpansBothNodes_ItsProcessesMeetAtTheRendezvous_AndReplicaZerosOutputIsTheSteps()
    {
        await using var cluster = await TwoNodesAsync();
        var server = cluster.Server;
        await CreateRendezvousPipelineAsync(server, tenant: "");

        var run = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "ddp" });
        var done = await FinishedAsync(cluster, run.Id);

        Assert.Equal(RunState.Succeeded, done.State);
        var train = done.Steps.Single();
        Assert.Equal(["gang-a", "gang-b"], train.Replicas.Select(r => r.Node).Order());
        Assert.Equal([0, 1], train.Replicas.Select(r => r.Replica));
        Assert.All(train.Replicas, r => Assert.Equal([0, 1, 2, 3], r.GpuIndices.Order()));
        var rank0Node = train.Replicas[0].Node;
        var rank1Node = train.Replicas[1].Node;
        Assert.Equal($"rank 1 from {rank1Node}", train.Outputs.Single().Value);
        var rank0Log = await Logs.ReadAsync(server.Runs, run.Id, "train");
        var rank1Log = await Logs.ReadAsync(server.Runs, run.Id, "train", replica: 1);
        Assert.Contains($"rank 0 of 2 on {rank0Node} gpus 0,1,2,3 master 127.0.0.1:", rank0Log, StringComparison.Ordinal);
        Assert.Contains($"rank 1 of 2 on {rank1Node} gpus 0,1,2,3 master 127.0.0.1:", rank1Log, StringComparison.Ordinal);
        Assert.DoesNotContain("rank 1", rank0Log, StringComparison.Ordinal);
        var events = (await server.Runs.GetRunAsync(new GetRunRequest { RunId = run.Id })).Events;
        Assert.Equal(2, events.Single(e => e.Type == "StepPlaced").Replicas.Count);
        Assert.Single(events, e => e.Type == "StepReplicaSucceeded");
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => Logs.ReadAsync(server.Runs, run.Id, "train", replica: 2), "ran as 2 replicas, 0 to 1; there is no replica 2");
        await Eventually.Until(async () => (await server.Nodes.ListNodesAsync(new ListNodesRequest())).Nodes.All(n => n.Allocations.Count == 0),
            Wait, "both nodes to free the gang's GPUs");
    }

    [Fact]
    public async Task GangThatFitsOneNode_RunsBothReplicasThere_OnSeparateGpusWorkspacesAndLogs()
    {
        await using var cluster = await TwoNodesAsync();
        var server = cluster.Server;
        await CreateRendezvousPipelineAsync(server, tenant: "", gpus: 2);

        var run = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "ddp" });
        var done = await FinishedAsync(cluster, run.Id);

        Assert.Equal(RunState.Succeeded, done.State);
        var replicas = done.Steps.Single().Replicas;
        Assert.Single(replicas.Select(r => r.Node).Distinct());
        var node = replicas[0].Node;
        Assert.Empty(replicas[0].GpuIndices.Intersect(replicas[1].GpuIndices));
        Assert.Equal($"rank 1 from {node}", done.Steps.Single().Outputs.Single().Value);
        Assert.Contains($"rank 0 of 2 on {node}", await Logs.ReadAsync(server.Runs, run.Id, "train"), StringComparison.Ordinal);
        Assert.Contains($"rank 1 of 2 on {node}", await Logs.ReadAsync(server.Runs, run.Id, "train", replica: 1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenOneReplicaFails_TheOtherIsStoppedWithSigterm_AndTheStepFailsNamingTheReplica()
    {
        await using var cluster = await TwoNodesAsync();
        var server = cluster.Server;
        await server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            SpecYaml = """
                name: broken
                steps:
                  - name: train
                    resources: {gpus: 4, replicas: 2}
                    command: [sh, -c, 'if [ "$RANK" = 1 ]; then echo "rank 1 gives up"; exit 3; fi; trap "echo rank 0 got SIGTERM; exit 143" TERM; echo "rank 0 waits"; while true; do sleep 0.05; done']
                """,
        });

        var run = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "broken" });
        var done = await FinishedAsync(cluster, run.Id);

        Assert.Equal(RunState.Failed, done.State);
        var train = done.Steps.Single();
        Assert.StartsWith($"replica 1 on node {train.Attempts.Single().Replicas[1].Node}: ", train.Message, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", train.Message, StringComparison.Ordinal);
        var rank0Log = await Eventually.Until(async () =>
            await Logs.ReadAsync(server.Runs, run.Id, "train") is var log && log.Contains("rank 0 got SIGTERM", StringComparison.Ordinal) ? log : null,
            Wait, "replica 0's log to show it was stopped\n" + cluster.Output);
        Assert.Contains("rank 0 waits", rank0Log, StringComparison.Ordinal);
        await Eventually.Until(async () => (await server.Nodes.ListNodesAsync(new ListNodesRequest())).Nodes.All(n => n.Allocations.Count == 0),
            Wait, "both nodes to free the failed gang's GPUs");
    }

    [Fact]
    public async Task QuotaOwnersHighPriorityGang_PreemptsBorrowedStepsOnBothAgents_AndEveryStepOfBothRunsCompletes()
    {
        var release = Path.Combine(RunControlTests.TempDir(), "release");
        await using var cluster = await TwoNodesAsync(Borrowing.ServerArguments);
        var server = cluster.Server;
        await Borrowing.CreateBorrowPipelineAsync(server, release);
        await CreateRendezvousPipelineAsync(server, tenant: "team-b");

        var borrowed = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Tenant = "team-a", Pipeline = "borrow" });
        var holding = await Eventually.Until(async () => await Get(server, borrowed.Id) is var r && r.Steps.All(s => s.State == StepState.Running) ? r : null,
            Wait, "both borrowing steps running\n" + cluster.Output);
        Assert.Equal(["gang-a", "gang-b"], holding.Steps.Select(s => s.Node).Order());
        var gang = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Tenant = "team-b", Pipeline = "ddp", PriorityClass = "urgent" });

        var gangDone = await FinishedAsync(cluster, gang.Id);
        Assert.Equal(RunState.Succeeded, gangDone.State);
        await Eventually.Until(async () => (await Get(server, borrowed.Id)).Steps.All(s => s.Attempt == 2 && s.State == StepState.Running),
            Wait, "both borrowing steps running again\n" + cluster.Output);
        File.WriteAllText(release, "go");
        var done = await FinishedAsync(cluster, borrowed.Id);

        Assert.Equal(RunState.Succeeded, done.State);
        var train = gangDone.Steps.Single();
        Assert.Single(train.Attempts);
        Assert.Equal(["gang-a", "gang-b"], train.Replicas.Select(r => r.Node).Order());
        Assert.Equal($"rank 1 from {train.Replicas[1].Node}", train.Outputs.Single().Value);
        foreach (var step in done.Steps)
        {
            Assert.Equal([true, false], step.Attempts.Select(a => a.Preempted));
            Assert.All(step.Attempts, a => Assert.False(a.Infrastructure));
            Assert.True(step.Attempts[0].FinishedAt.ToDateTimeOffset() <= train.StartedAt.ToDateTimeOffset(), $"{step.Key} stopped before the gang started");
            Assert.Contains("attempt got SIGTERM", await Logs.ReadAsync(server.Runs, borrowed.Id, step.Key, attempt: 1), StringComparison.Ordinal);
            Assert.Contains("released", await Logs.ReadAsync(server.Runs, borrowed.Id, step.Key, attempt: 2), StringComparison.Ordinal);
        }
    }

    /// <summary>Pipeline <c>ddp</c>: one step of 2 replicas x 4 GPUs running <see cref="Rendezvous"/>, whose output
    /// <c>hello</c> is what rank 0 heard.</summary>
    private static Task CreateRendezvousPipelineAsync(ServerProcess server, string tenant, int gpus = 4) =>
        server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            Tenant = tenant,
            SpecYaml = $$$"""
                name: ddp
                steps:
                  - name: train
                    resources: {gpus: {{{gpus}}}, replicas: 2}
                    command: [python3, -c, {{{Borrowing.Quoted(Rendezvous)}}}, '{{outputs.hello}}']
                    outputs: [hello]
                """,
        }).ResponseAsync;

    private static async Task<Run> Get(ServerProcess server, string runId) =>
        await server.Runs.GetRunAsync(new GetRunRequest { RunId = runId, OmitEvents = true });

    private static async Task<Run> FinishedAsync(TwoNodeCluster cluster, string runId) =>
        await Eventually.Until(async () =>
            await cluster.Server.Runs.GetRunAsync(new GetRunRequest { RunId = runId, OmitEvents = true }) is { State: RunState.Succeeded or RunState.Failed } r ? r : null,
            Wait, "the run to finish\n" + cluster.Output);

    private static async Task<TwoNodeCluster> TwoNodesAsync(params string[] serverArguments)
    {
        var server = await ServerProcess.StartAsync(["--agent", "false", .. serverArguments]);
        var agents = new List<ChildProcess>();
        try
        {
            foreach (var name in new[] { "gang-a", "gang-b" })
            {
                agents.Add(ChildProcess.StartDotnet(Repo.AgentDll,
                [
                    "--gateway", server.GrpcAddress, "--name", name, "--simulate-gpus", "4", "--advertise-address", "127.0.0.1",
                    "--work-dir", RunControlTests.TempDir(),
                ]));
            }

            await server.WaitForNodeAsync("gang-a");
            await server.WaitForNodeAsync("gang-b");
            return new TwoNodeCluster(server, agents);
        }
        catch
        {
            foreach (var agent in agents) await agent.DisposeAsync();
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The server and its two agent processes, stopped together.</summary>
    private sealed class TwoNodeCluster(ServerProcess server, List<ChildProcess> agents) : IAsyncDisposable
    {
        public ServerProcess Server => server;

        public string Output => string.Join("\n", agents.Select(a => a.Output)) + "\n" + server.Output;

        public async ValueTask DisposeAsync()
        {
            foreach (var agent in agents) await agent.DisposeAsync();
            await server.DisposeAsync();
        }
    }
}
