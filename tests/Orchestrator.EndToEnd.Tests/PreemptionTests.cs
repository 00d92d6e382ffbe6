using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>A real server with 8 simulated GPUs and a scheduling configuration from its command line: tenant team-a
/// (no quota) borrows the whole pool with steps that run until a file appears; tenant team-b (quota = the pool) submits
/// a high-priority 8-GPU step. team-a's steps are preempted (their processes get SIGTERM, trap it and say so), team-b's
/// step runs, then team-a's steps run again and every step of both runs succeeds, no retry used.</summary>
public sealed class PreemptionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task QuotaOwnersHighPriorityGang_PreemptsBorrowedSteps_AndEveryStepOfBothRunsSucceeds()
    {
        var work = RunControlTests.TempDir();
        var release = Path.Combine(work, "release");
        await using var server = await ServerProcess.StartAsync(["--simulate-gpus", "8", "--gpu-model", "Simulated H200", .. Borrowing.ServerArguments]);
        await server.WaitForNodeAsync();
        await Borrowing.CreateBorrowPipelineAsync(server, release);
        await server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            Tenant = "team-b",
            SpecYaml = """
                name: gang
                steps:
                  - name: train
                    resources: {gpus: 8}
                    command: [sh, -c, 'echo "trained on GPUs $CUDA_VISIBLE_DEVICES"']
                """,
        });

        var borrowed = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Tenant = "team-a", Pipeline = "borrow" });
        await Eventually.Until(async () => (await Get(server, borrowed.Id)).Steps.All(s => s.State == StepState.Running), Wait,
            "both borrowing steps running");
        var gang = await server.Runs.SubmitRunAsync(new SubmitRunRequest { Tenant = "team-b", Pipeline = "gang", PriorityClass = "urgent" });

        var gangDone = await Eventually.Until(async () => await Get(server, gang.Id) is { State: RunState.Succeeded or RunState.Failed } r ? r : null,
            Wait, "the gang run to finish\n" + server.Output);
        Assert.Equal(RunState.Succeeded, gangDone.State);
        var requeued = await Eventually.Until(async () =>
            await Get(server, borrowed.Id) is var r && r.Steps.All(s => s.Attempt == 2 && s.State == StepState.Running) ? r : null,
            Wait, "both borrowing steps running again");
        File.WriteAllText(release, "go");
        var done = await Eventually.Until(async () => await Get(server, borrowed.Id) is { State: RunState.Succeeded or RunState.Failed } r ? r : null,
            Wait, "the borrowing run to finish\n" + server.Output);

        Assert.Equal(RunState.Succeeded, done.State);
        var train = gangDone.Steps.Single();
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], train.GpuIndices.Order());
        Assert.Single(train.Attempts);
        foreach (var step in done.Steps)
        {
            Assert.Equal([true, false], step.Attempts.Select(a => a.Preempted));
            Assert.All(step.Attempts, a => Assert.False(a.Infrastructure));
            Assert.Equal(143, step.Attempts[0].ExitCode);
            // The preempted attempt ended before the gang started on its GPUs; the next one after the gang was done.
            Assert.True(step.Attempts[0].FinishedAt.ToDateTimeOffset() <= train.StartedAt.ToDateTimeOffset(), $"{step.Key} stopped before the gang started");
            Assert.True(step.Attempts[1].StartedAt.ToDateTimeOffset() >= train.FinishedAt.ToDateTimeOffset(), $"{step.Key} ran again after the gang");
            Assert.Contains("attempt got SIGTERM", await Logs.ReadAsync(server.Runs, borrowed.Id, step.Key, attempt: 1), StringComparison.Ordinal);
            Assert.Contains("released", await Logs.ReadAsync(server.Runs, borrowed.Id, step.Key, attempt: 2), StringComparison.Ordinal);
        }

        var events = (await server.Runs.GetRunAsync(new GetRunRequest { RunId = borrowed.Id })).Events;
        var preempted = events.Where(e => e.Type == "StepPreempted").ToList();
        Assert.Equal(["left", "right"], preempted.Select(e => e.StepKey).Order());
        Assert.All(preempted, e => Assert.Contains("preempted (", e.Message, StringComparison.Ordinal));
        Assert.Equal(2, events.Count(e => e.Type == "StepAttemptFailed" && e.Preempted));
        Assert.DoesNotContain(events, e => e.Type == "StepFailed");
    }

    private static async Task<Run> Get(ServerProcess server, string runId) =>
        await server.Runs.GetRunAsync(new GetRunRequest { RunId = runId, OmitEvents = true });
}
