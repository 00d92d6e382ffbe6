using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;

using static Orchestrator.Core.Tests.Runs.RunMachineTestKit;

namespace Orchestrator.Core.Tests.Runs;

/// <summary>Verifies multi-replica steps (gangs) in the run state machine: placed with every replica's node and GPUs;
/// succeeded only once every replica has, with replica 0's outputs whatever order they end in; ended as a whole by the
/// first replica that fails; and rebuilt the same from the journal.</summary>
public sealed class RunMachineGangTests
{
    private static readonly StepOutput Model = new("model", new string('b', 64), 42, null);

    private static readonly IReadOnlyList<ReplicaSlot> Slots =
        [new ReplicaSlot(0, "node-a", [0, 1]), new ReplicaSlot(1, "node-b", [2, 3]), new ReplicaSlot(2, "node-b", [4, 5])];

    private static RunMachineTestKit Gang(int retries = 0) => new(Spec(Step("train") with
    {
        Outputs = ["model"], Resources = new ResourcesSpec { Gpus = 2, Replicas = 3 }, Retry = new RetrySpec { Limit = retries },
    }));

    private static RunMachineTestKit Placed(int retries = 0)
    {
        var kit = Gang(retries);
        kit.Advance();
        var placed = kit.Machine.OnPlaced("train", 1, Slots, kit.Now);
        Assert.Equal(TransitionDisposition.Applied, placed.Disposition);
        kit.Commit(placed.Events);
        return kit;
    }

    private static Transition End(RunMachineTestKit kit, int replica, AttemptOutcome outcome = AttemptOutcome.Succeeded, int exitCode = 0,
        string? message = null, params StepOutput[] outputs) =>
        kit.Machine.OnFinished("train", 1, outcome, exitCode, message, outputs, Slots[replica].Node, kit.Now, replica);

    [Fact]
    public void Placed_RecordsEveryReplica_WithReplicaZerosNodeAsTheStepsNode()
    {
        var kit = Placed();

        var step = kit["train"];
        Assert.Equal(StepState.Placed, step.State);
        Assert.Equal(Slots, step.Replicas);
        Assert.Equal("node-a", step.Node);
        Assert.Equal([0, 1], step.Gpus);
        var placed = Assert.Single(kit.Log, e => e.Type == RunEventType.StepPlaced);
        Assert.Equal(Slots, placed.Replicas);
        Assert.Equal(Slots, step.Attempts[0].Replicas);
    }

    [Theory]
    [InlineData(0, 1, 2)]
    [InlineData(2, 1, 0)]
    [InlineData(1, 0, 2)]
    public void Succeeds_OnlyWhenEveryReplicaHas_WithReplicaZerosOutputs_InAnyOrder(int first, int second, int last)
    {
        var kit = Placed();
        kit.Commit(kit.Machine.OnStarted("train", 1, Slots[first].Node, kit.Now).Events);

        foreach (var replica in new[] { first, second })
        {
            var ended = End(kit, replica, outputs: replica == 0 ? [Model] : []);
            Assert.Equal(RunEventType.StepReplicaSucceeded, Assert.Single(ended.Events).Type);
            kit.Commit(ended.Events);
            Assert.Equal(StepState.Running, kit["train"].State);
            Assert.Equal(TransitionDisposition.Duplicate, End(kit, replica).Disposition);
        }

        var last_ = End(kit, last, outputs: last == 0 ? [Model] : []);
        var succeeded = Assert.Single(last_.Events);
        Assert.Equal(RunEventType.StepSucceeded, succeeded.Type);
        Assert.Equal([Model], succeeded.Outputs);
        kit.Commit(last_.Events);
        kit.Advance();

        Assert.Equal(StepState.Succeeded, kit["train"].State);
        Assert.Equal([Model], kit["train"].Outputs);
        Assert.Equal(RunState.Succeeded, kit.Machine.State);
    }

    [Fact]
    public void OneReplicaFailing_EndsTheWholeAttempt_NamingTheReplicaAndItsNode()
    {
        var kit = Placed(retries: 1);
        kit.Commit(kit.Machine.OnStarted("train", 1, "node-a", kit.Now).Events);
        kit.Commit(End(kit, 0, outputs: [Model]).Events);

        var failed = End(kit, 2, AttemptOutcome.Failed, 1, "CUDA out of memory");
        kit.Commit(failed.Events);

        var e = Assert.Single(failed.Events);
        Assert.Equal(RunEventType.StepAttemptFailed, e.Type);
        Assert.Equal("replica 2 on node node-b: CUDA out of memory", e.Message);
        var step = kit["train"];
        Assert.Equal(StepState.Waiting, step.State);
        Assert.Empty(step.Replicas);
        Assert.Empty(step.SucceededReplicas);
        // A replica still running reports its end after the attempt is over: nothing more happens.
        Assert.Equal(TransitionDisposition.Duplicate, End(kit, 1, AttemptOutcome.Cancelled, 143).Disposition);

        kit.Now = step.RetryAt!.Value;
        kit.Advance();
        Assert.Equal(2, kit["train"].Attempt);
        Assert.Equal(StepState.Ready, kit["train"].State);
    }

    [Fact]
    public void ReplicaWithoutAFailureMessage_IsStillNamed()
    {
        var kit = Placed();

        var failed = End(kit, 1, AttemptOutcome.Failed, 3);

        Assert.Equal("replica 1 on node node-b: exited with code 3", Assert.Single(failed.Events).Message);
    }

    [Fact]
    public void ReportOfAReplicaTheGangDoesNotHave_IsStale()
    {
        var kit = Placed();

        Assert.Equal(TransitionDisposition.Stale, kit.Machine.OnFinished("train", 1, AttemptOutcome.Succeeded, 0, null, [], "node-b", kit.Now, 3).Disposition);
    }

    [Fact]
    public void Replay_OfTheJournal_RebuildsTheGangsProgress()
    {
        var kit = Placed();
        kit.Commit(kit.Machine.OnStarted("train", 1, "node-a", kit.Now).Events);
        kit.Commit(End(kit, 0, outputs: [Model]).Events);
        kit.Commit(End(kit, 2).Events);

        var replayed = new RunMachine(kit.Machine.RunId, kit.Machine.Plan, kit.Machine.CacheDisabled);
        foreach (var e in kit.Log) replayed.Apply(e);

        var step = replayed.Find("train")!;
        Assert.Equal(Slots, step.Replicas);
        Assert.Equal([0, 2], step.SucceededReplicas.Order());
        Assert.Equal([Model], step.RankZeroOutputs);
        var last = replayed.OnFinished("train", 1, AttemptOutcome.Succeeded, 0, null, [], "node-b", kit.Now, 1);
        Assert.Equal([Model], Assert.Single(last.Events).Outputs);
    }
}
