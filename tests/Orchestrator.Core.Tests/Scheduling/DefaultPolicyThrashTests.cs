using Orchestrator.Core.Scheduling;
using Orchestrator.Core.Scheduling.Policies;

using static Orchestrator.Core.Tests.Scheduling.SchedulerKit;

namespace Orchestrator.Core.Tests.Scheduling;

/// <summary>Verifies the guard against preemption thrash of the default policy as the live system runs it (few jobs,
/// re-checked every minute): equal jobs competing for the same GPUs swap at most once per class boundary and once at
/// the tail, never back and forth.</summary>
public sealed class DefaultPolicyThrashTests
{
    [Fact]
    public void TwoEqualLongJobs_OnOneNode_SwapOnlyAtClassBoundaries_NotBackAndForth()
    {
        var (scheduler, clock) = Scheduler(Config(), new DefaultQueuePolicy());
        scheduler.AddNodes(Node("n1", gpus: 8));
        var attained = new Dictionary<string, double> { ["a"] = 0, ["b"] = 0 };
        var started = new Dictionary<string, DateTimeOffset>();
        var preemptions = new List<(TimeSpan At, string Victim)>();
        scheduler.EnqueueAll(Job("a", gpus: 8, historyKey: "pipe/train"), Job("b", gpus: 8, submittedSecond: 1, historyKey: "pipe/train"));

        for (var minute = 0; minute < 48 * 60; minute++)
        {
            var result = scheduler.Schedule();
            foreach (var placement in result.Placements) started[placement.Job.Id] = clock.GetUtcNow();
            foreach (var order in result.Preemptions)
            {
                // The victim stops at once (no grace here) and queues again with what it has had.
                var victim = order.JobId;
                attained[victim] += 8 * (clock.GetUtcNow() - started[victim]).TotalSeconds;
                Assert.True(scheduler.Release(victim, completed: false));
                Assert.True(scheduler.Enqueue(Job(victim, gpus: 8, submittedSecond: victim == "a" ? 0 : 1, historyKey: "pipe/train")
                    with { AttainedGpuSeconds = attained[victim] }));
                preemptions.Add((clock.GetUtcNow() - Start, victim));
            }

            clock.Advance(TimeSpan.FromMinutes(1));
        }

        // b displaces a when a leaves the first class (40,000 GPU-s ≈ 83 min on 8 GPUs); a displaces b when b enters
        // the tail (100,000 GPU-s); then a, the longer run, keeps the node for the rest of the two days.
        Assert.Equal(["a", "b"], preemptions.Select(p => p.Victim));
        Assert.InRange(preemptions[0].At, TimeSpan.FromMinutes(83), TimeSpan.FromMinutes(85));
    }
}
