using Orchestrator.Core.Scheduling;

using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Explanations of a waiting job: its position and every reason that holds, in words a user can act on.</summary>
public sealed class ExplainTests
{
    private static string Message(PendingExplanation explanation, PendingReasonKind kind) => explanation.Reasons.Single(r => r.Kind == kind).Message;

    [Fact]
    public void Explain_ATenantAtItsQuotaThatMayNotBorrow_SaysSo()
    {
        var (scheduler, _) = Scheduler(Config([Tenant("ml-team", 16, mayBorrow: false)]));
        scheduler.AddNodes(Node("node-1", gpus: 8), Node("node-2", gpus: 8), Node("node-3", gpus: 8));
        scheduler.EnqueueAll(Job("a", gpus: 8), Job("b", gpus: 8, submittedSecond: 1), Job("c", gpus: 8, submittedSecond: 2));
        scheduler.Schedule();

        var explanation = scheduler.Explain("c");

        Assert.Equal("tenant ml-team uses 16 of 16 GPUs in pool h200 and may not borrow; the job needs 8 more", Message(explanation, PendingReasonKind.Quota));
        Assert.Equal((0, "h200"), (explanation.Position, explanation.Pool));
    }

    [Fact]
    public void Explain_NoNodeWithEnoughFreeGpus_NamesTheLargestFreeBlock_AndTheJobsAhead()
    {
        var (scheduler, _) = Scheduler(Config(backfill: false));
        scheduler.AddNodes(Node("node-1", gpus: 8), Node("node-3", gpus: 8));
        scheduler.EnqueueAll(Job("full", gpus: 8), Job("half", gpus: 4, submittedSecond: 1));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("first", gpus: 8, model: "h200", submittedSecond: 2), Job("second", gpus: 8, submittedSecond: 3),
            Job("third", gpus: 8, model: "H200", submittedSecond: 4));

        var explanation = scheduler.Explain("third");

        Assert.Equal(2, explanation.Position);
        Assert.Equal("2 jobs ahead of it", Message(explanation, PendingReasonKind.QueuedBehind));
        Assert.Equal("no node has 8 free H200 GPUs: largest free block is 4 on node-3", Message(explanation, PendingReasonKind.Capacity));
    }

    [Fact]
    public void Explain_AModelThePoolDoesNotHave_NeverFits()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("node-1", gpus: 8));
        scheduler.EnqueueAll(Job("a100", model: "A100"));
        scheduler.Schedule();

        Assert.Equal("no node in pool h200 has GPUs of model A100", Message(scheduler.Explain("a100"), PendingReasonKind.NeverFits));
    }

    [Fact]
    public void Explain_AJobBiggerThanAnyNode_NeverFits()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("node-1", gpus: 8));
        scheduler.EnqueueAll(Job("huge", gpus: 16));

        Assert.Equal("no node in pool h200 has 16 GPUs: the largest has 8", Message(scheduler.Explain("huge"), PendingReasonKind.NeverFits));
    }

    [Fact]
    public void Explain_ANominatedJob_IsWaitingForItsVictimsToStop()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("node-1", gpus: 4));
        scheduler.EnqueueAll(Job("low-a", gpus: 2), Job("low-b", gpus: 2, submittedSecond: 1));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("high", gpus: 4, priority: 5, submittedSecond: 2));
        Assert.Equal(2, scheduler.Schedule().Preemptions.Count);

        Assert.Equal("waiting for 2 preempted jobs to stop", Message(scheduler.Explain("high"), PendingReasonKind.AwaitingPreemption));
    }

    [Fact]
    public void Explain_AJobThatWouldDelayTheReservation_NamesTheReservedJob()
    {
        var (scheduler, _) = Scheduler();
        scheduler.AddNodes(Node("node-1", gpus: 8));
        scheduler.EnqueueAll(Job("running", gpus: 6, expected: TimeSpan.FromHours(1)));
        scheduler.Schedule();
        scheduler.EnqueueAll(Job("head", gpus: 8, submittedSecond: 1), Job("long", gpus: 2, submittedSecond: 2));
        Assert.Empty(scheduler.Schedule().Placements);

        var message = Message(scheduler.Explain("long"), PendingReasonKind.Reservation);

        Assert.StartsWith("GPUs are reserved for job head, expected to start at 2026-11-28 13:00:00Z", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_AJobNotWaiting_IsNotQueued()
    {
        var (scheduler, _) = Scheduler();

        Assert.Equal(PendingReasonKind.NotQueued, scheduler.Explain("nobody").Reasons.Single().Kind);
    }
}
