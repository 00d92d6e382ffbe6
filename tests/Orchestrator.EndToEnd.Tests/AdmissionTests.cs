using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Whole-run admission on a real server (8 simulated GPUs; tenant ml has a quota of 8 and may not borrow):
/// a pipeline whose peak is 8 GPUs (two 4-GPU steps side by side, then an 8-GPU join) is admitted whole; a second run
/// of it waits for admission with none of its steps queued, `orch run why` says why, and it is admitted and succeeds
/// once the first run has ended, so neither run ever stalls half-way for quota.</summary>
public sealed class AdmissionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task WholeRunAdmission_SecondRunWaitsWithNothingQueued_ThenIsAdmittedWhenTheFirstEnds_AndBothSucceed()
    {
        var work = RunControlTests.TempDir();
        await using var server = await ServerProcess.StartAsync(
            "--simulate-gpus", "8", "--gpu-model", "Simulated H200",
            "--Orchestrator:Scheduling:Tenants:0:Name=ml",
            "--Orchestrator:Scheduling:Tenants:0:Quotas:default:Gpus=8",
            "--Orchestrator:Scheduling:Tenants:0:MayBorrow=false");
        await server.WaitForNodeAsync();
        await server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            Tenant = "ml",
            SpecYaml = """
                name: fan
                parameters:
                  - {name: release, type: string}
                steps:
                  - name: left
                    resources: {gpus: 4}
                    command: [sh, -c, 'while [ ! -f "$0" ]; do sleep 0.05; done', '{{params.release}}']
                  - name: right
                    resources: {gpus: 4}
                    command: [sh, -c, 'while [ ! -f "$0" ]; do sleep 0.05; done', '{{params.release}}']
                  - name: join
                    after: [left, right]
                    resources: {gpus: 8}
                    command: [sh, -c, 'echo "joined on GPUs $CUDA_VISIBLE_DEVICES"']
                """,
        });

        var first = await Submit(server, Path.Combine(work, "first"));
        await Eventually.Until(async () => (await Get(server, first)).Steps.Where(s => s.Key != "join").All(s => s.State == StepState.Running), Wait,
            "the first run's two 4-GPU steps running");
        var second = await Submit(server, Path.Combine(work, "second"));

        var scheduling = new SchedulingService.SchedulingServiceClient(server.Channel);
        var why = await Eventually.Until(async () =>
            await scheduling.ExplainPendingAsync(new ExplainPendingRequest { RunId = second }) is { Admission: not null } r ? r : null,
            Wait, "the second run to wait for admission");
        var reason = Assert.Single(why.Admission.Reasons, r => r.Kind == PendingReasonKind.Admission);
        Assert.Contains("tenant ml has 8 of 8 GPUs reserved in pool default and needs 8", reason.Message, StringComparison.Ordinal);
        Assert.All((await Get(server, second)).Steps, s => Assert.Equal(StepState.Waiting, s.State));
        await using (var cli = ChildProcess.StartDotnet(Repo.CliDll, ["--server", server.GrpcAddress, "run", "why", second]))
        {
            Assert.Equal(0, await cli.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("waiting for admission", cli.Output, StringComparison.Ordinal);
        }

        File.WriteAllText(Path.Combine(work, "first"), "go");
        var firstDone = await Finished(server, first);
        File.WriteAllText(Path.Combine(work, "second"), "go");
        var secondDone = await Finished(server, second);

        Assert.Equal((RunState.Succeeded, RunState.Succeeded), (firstDone.State, secondDone.State));
        var events = (await server.Runs.GetRunAsync(new GetRunRequest { RunId = second })).Events;
        var requested = Assert.Single(events, e => e.Type == "RunAdmissionRequested");
        var admitted = Assert.Single(events, e => e.Type == "RunAdmitted");
        Assert.Equal("whole-run admission: 8 GPUs at its peak, to reserve in pool default", requested.Message);
        // Admitted only once the first run had ended and given its reservation back; its first step came after that.
        Assert.True(admitted.Time.ToDateTimeOffset() >= firstDone.FinishedAt.ToDateTimeOffset(), "the second run was admitted before the first ended");
        Assert.True(events.First(e => e.Type == "StepReady").Revision > admitted.Revision, "a step was queued before the run was admitted");
    }

    private static async Task<string> Submit(ServerProcess server, string release)
    {
        var request = new SubmitRunRequest { Tenant = "ml", Pipeline = "fan", Admission = Admission.WholeRun, DisableCache = true };
        request.Parameters["release"] = Google.Protobuf.WellKnownTypes.Value.ForString(release);
        return (await server.Runs.SubmitRunAsync(request)).Id;
    }

    private static async Task<Run> Get(ServerProcess server, string runId) =>
        await server.Runs.GetRunAsync(new GetRunRequest { RunId = runId, OmitEvents = true });

    private static Task<Run> Finished(ServerProcess server, string runId) =>
        Eventually.Until(async () => await Get(server, runId) is { State: RunState.Succeeded or RunState.Failed or RunState.Cancelled } r ? r : null,
            Wait, $"run {runId} to finish\n" + server.Output);
}
