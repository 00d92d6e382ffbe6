using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>SIGKILL of the server mid-run: no step process outlives it, and after a restart on the same data directory
/// the run resumes by itself and completes, with every earlier output intact and the lost attempt recorded as an
/// infrastructure retry.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task KilledServer_RestartedOnTheSameData_FinishesTheRunWithEarlierOutputsIntact()
    {
        await using var server = await ServerProcess.StartAsync("--simulate-gpus", "1");
        await server.WaitForNodeAsync();
        var dir = RunControlTests.TempDir();
        await server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            SpecYaml = """
                name: survive
                parameters: [{name: dir, type: string}]
                steps:
                  - name: first
                    command: [sh, -c, 'head -c 4096 /dev/urandom > {{outputs.blob}}']
                    outputs: [blob]
                  - name: second
                    resources: {gpus: 1}
                    inputs: {blob: '{{steps.first.outputs.blob}}'}
                    command: [sh, -c, 'echo $$ > {{params.dir}}/pid.$ORCH_ATTEMPT; while [ ! -f {{params.dir}}/go ]; do sleep 0.05; done; sha256sum {{inputs.blob}} > {{outputs.sum}}; touch {{params.dir}}/done']
                    outputs: [sum]
                """,
        });
        var request = new SubmitRunRequest { Pipeline = "survive" };
        request.Parameters["dir"] = Google.Protobuf.WellKnownTypes.Value.ForString(dir);
        var run = await server.Runs.SubmitRunAsync(request);
        var firstPid = await Eventually.Until(() => Task.FromResult<object?>(ReadPid(Path.Combine(dir, "pid.1"))), TimeSpan.FromSeconds(60), "the second step to start") is int pid ? pid : 0;
        var before = await server.Runs.GetRunAsync(new GetRunRequest { RunId = run.Id });
        var blob = before.Steps.Single(s => s.Key == "first").Outputs.Single();

        await server.KillHardAsync();
        await Eventually.Until(() => !RunControlTests.Alive(firstPid), TimeSpan.FromSeconds(30), "the step's process group to die with the server");

        await server.StartAgainAsync();
        await File.WriteAllTextAsync(Path.Combine(dir, "go"), "");
        // No client touches the run: the server resumes it by itself, and the step leaves a file when it is done.
        await Eventually.Until(() => File.Exists(Path.Combine(dir, "done")), TimeSpan.FromSeconds(90), "the resumed step to finish");

        var after = await Eventually.Until(async () =>
        {
            var r = await server.Runs.GetRunAsync(new GetRunRequest { RunId = run.Id });
            return r.State == RunState.Succeeded ? r : null;
        }, TimeSpan.FromSeconds(60), "the run to succeed");
        var first = after.Steps.Single(s => s.Key == "first");
        var second = after.Steps.Single(s => s.Key == "second");
        Assert.Single(first.Attempts);
        Assert.Equal(blob, first.Outputs.Single());
        Assert.Equal(2, second.Attempts.Count);
        Assert.True(second.Attempts[0].Infrastructure);
        Assert.Equal(StepState.Failed, second.Attempts[0].State);
        Assert.Equal(StepState.Succeeded, second.Attempts[1].State);
        Assert.True(File.Exists(Path.Combine(dir, "pid.2")));
        Assert.Equal(before.Events.Select(e => (e.Revision, e.Type, e.StepKey)), after.Events.Take(before.Events.Count).Select(e => (e.Revision, e.Type, e.StepKey)));
    }

    private static int? ReadPid(string path) =>
        File.Exists(path) && File.ReadAllText(path) is { Length: > 1 } text && text.EndsWith('\n')
            ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : null;
}
