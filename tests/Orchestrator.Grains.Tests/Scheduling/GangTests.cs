using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Grains.Nodes;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Scheduling;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Scheduling;

/// <summary>Verifies multi-replica steps (gangs) in the live system: a gang bigger than any node is held on several
/// nodes at once and each process learns its rank and the rendezvous; it succeeds only when every replica has, with
/// replica 0's outputs; one replica's failure stops the others and frees every node; and a gang is never held in part
/// when one of its nodes refuses.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GangTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Gang_LargerThanAnyNode_IsPlacedAcrossNodes_AndSucceedsOnlyWhenEveryReplicaHas()
    {
        await using var s = fixture.NewScenario();
        var a = await s.ConnectAsync("a", gpus: 4);
        var b = await s.ConnectAsync("b", gpus: 4);
        await s.CreatePipelineAsync(Specs.Pipeline("ddp", Specs.Step("train", s.Id, "model").WithGpus(4, s.GpuModel).WithReplicas(2)));

        var runId = (await s.SubmitAsync("ddp")).Definition.Id;

        var (rank0, rank0Agent, rank1, rank1Agent) = await BothReplicasAsync(runId, a, b);
        Assert.Equal(new GangAssignment(0, 2, rank0Agent.Node, GangPorts.For(rank0.Step)), rank0.Gang);
        Assert.Equal(new GangAssignment(1, 2, rank0Agent.Node, GangPorts.For(rank0.Step)), rank1.Gang);
        Assert.Equal([0, 1, 2, 3], rank0.Gpus);
        Assert.Equal([0, 1, 2, 3], rank1.Gpus);
        Assert.Single((await a.Grain.GetAsync()).Allocations);
        Assert.Single((await b.Grain.GetAsync()).Allocations);
        var placed = await s.Run(runId).GetAsync(includeEvents: false);
        Assert.Equal([new ReplicaSlot(0, rank0Agent.Node, [0, 1, 2, 3]), new ReplicaSlot(1, rank1Agent.Node, [0, 1, 2, 3])],
            placed.Steps.Single().Replicas.Select(r => r with { Gpus = [.. r.Gpus] }).ToList(), new SlotComparer());

        await rank1Agent.SucceedAsync(rank1);
        var halfway = await s.WaitForRunAsync(runId, r => r.Events.Any(e => e.Type == RunEventType.StepReplicaSucceeded), "replica 1's success recorded");
        Assert.Equal(StepState.Running, halfway.Steps.Single().State);
        Assert.Equal(RunState.Running, halfway.State);

        var model = new StepOutput("model", new string('a', 64), 10, null);
        await rank0Agent.SucceedAsync(rank0, model);

        var done = await s.WaitForStateAsync(runId, RunState.Succeeded);
        Assert.Equal([model], done.Steps.Single().Outputs);
        await BothFreeAsync(a, b, "both nodes free the gang's GPUs");
    }

    [Fact]
    public async Task Gang_WhenOneReplicaFails_TheOtherIsStopped_TheStepFails_AndEveryNodeIsFreed()
    {
        await using var s = fixture.NewScenario();
        var a = await s.ConnectAsync("a", gpus: 2);
        var b = await s.ConnectAsync("b", gpus: 2);
        await s.CreatePipelineAsync(Specs.Pipeline("ddp", Specs.Step("train", s.Id).WithGpus(2, s.GpuModel).WithReplicas(2)));
        var runId = (await s.SubmitAsync("ddp")).Definition.Id;
        var (rank0, rank0Agent, rank1, rank1Agent) = await BothReplicasAsync(runId, a, b);
        await rank0Agent.StartAsync(rank0);

        await rank1Agent.FailAsync(rank1, "NCCL error: unhandled system error");

        var failed = await s.WaitForStateAsync(runId, RunState.Failed);
        Assert.Equal($"replica 1 on node {rank1Agent.Node}: NCCL error: unhandled system error", failed.Steps.Single().Message);
        var stop = await rank0Agent.WaitForCancelAsync(rank0.Step);
        Assert.Equal(0, stop.Step.Replica);
        await BothFreeAsync(a, b, "both nodes free the failed gang's GPUs");
    }

    [Fact]
    public async Task Gang_IsNeverHeldInPart_WhenANodeRefuses_AndIsPlacedWholeOnceItCan()
    {
        await using var s = fixture.NewScenario();
        var a = await s.ConnectAsync("a", gpus: 4);
        var b = await s.ConnectAsync("b", gpus: 4);
        // Node b's GPUs are taken behind the scheduler's back: its view says b is free, b itself will refuse.
        var outsider = new StepRef($"outsider-{s.Id}", "x", 1);
        var outsiderTenant = $"outsider-{s.Id}";
        var held = await b.Grain.AllocateAsync([new AllocationRequest(outsider, new ResourceRequest(1, 1, 4, s.GpuModel), [0, 1, 2, 3],
            new AllocationJob(SchedulerGrain.DefaultPool, outsiderTenant, 0, s.GpuModel, DateTimeOffset.UtcNow, null, ""))]);
        Assert.Equal([outsider], held.Accepted);
        await s.CreatePipelineAsync(Specs.Pipeline("ddp", Specs.Step("train", s.Id).WithGpus(4, s.GpuModel).WithReplicas(2)));

        var runId = (await s.SubmitAsync("ddp")).Definition.Id;

        // The gang was tried on a and b, b refused, and the scheduler learnt b's truth: it is queued again.
        var scheduler = s.Grains.GetGrain<ISchedulerGrain>(SchedulerGrain.DefaultPool);
        await Eventually.MatchAsync(scheduler.GetUsageAsync,
            usage => usage.Tenants.Any(t => t.Tenant == outsiderTenant && t.Gpus == 4) && usage.Tenants.Any(t => t.Tenant == s.Tenant && t.Queued == 1 && t.Gpus == 0),
            "the scheduler knows b is busy and the gang waits");
        Assert.Empty((await a.Grain.GetAsync()).Allocations);
        Assert.Empty(a.Assignments);
        Assert.Empty(b.Assignments);
        Assert.Equal(StepState.Ready, (await s.Run(runId).GetAsync(includeEvents: false)).Steps.Single().State);

        await b.Grain.ReleaseAsync([outsider], stopProcess: false);

        var (rank0, rank0Agent, rank1, rank1Agent) = await BothReplicasAsync(runId, a, b);
        await rank0Agent.SucceedAsync(rank0);
        await rank1Agent.SucceedAsync(rank1);
        await s.WaitForStateAsync(runId, RunState.Succeeded);
    }

    private static Task BothFreeAsync(SimulatedAgent a, SimulatedAgent b, string what) => Eventually.MatchAsync(
        async () => (await a.Grain.GetAsync()).Allocations.Count + (await b.Grain.GetAsync()).Allocations.Count, held => held == 0, what);

    /// <summary>Waits for the gang's two assignments, one on each node, and returns them by rank.</summary>
    private static async Task<(StepAssignment Rank0, SimulatedAgent Rank0Agent, StepAssignment Rank1, SimulatedAgent Rank1Agent)> BothReplicasAsync(
        string runId, SimulatedAgent a, SimulatedAgent b)
    {
        var onA = await a.WaitForAssignmentAsync(x => x.Step.RunId == runId, "a replica of the gang");
        var onB = await b.WaitForAssignmentAsync(x => x.Step.RunId == runId, "a replica of the gang");
        Assert.NotEqual(onA.Step.Replica, onB.Step.Replica);
        return onA.Step.Replica == 0 ? (onA, a, onB, b) : (onB, b, onA, a);
    }

    /// <summary>Slots compared by value, GPU lists included.</summary>
    private sealed class SlotComparer : IEqualityComparer<ReplicaSlot>
    {
        public bool Equals(ReplicaSlot? x, ReplicaSlot? y) =>
            x is not null && y is not null && x.Replica == y.Replica && x.Node == y.Node && x.Gpus.SequenceEqual(y.Gpus);

        public int GetHashCode(ReplicaSlot obj) => HashCode.Combine(obj.Replica, obj.Node);
    }
}
