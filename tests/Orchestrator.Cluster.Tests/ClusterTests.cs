using Orchestrator.Cluster.Tests.Harness;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.Cluster.Tests;

/// <summary>Three server processes on one real redis-server form one cluster: a pipeline applied through one gateway is
/// visible through another, a run submitted on a second gateway completes, and its logs and artifacts are readable
/// through a third gateway, also with the orch CLI as a user runs it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private ServerProcess Gateway(int n) => fixture.Cluster.Servers[n - 1];

    [Fact]
    public async Task EveryGateway_SeesTheNodesOfEveryServer()
    {
        foreach (var server in fixture.Cluster.Servers)
        {
            await Eventually.Until(async () =>
            {
                var nodes = await server.Nodes.ListNodesAsync(new ListNodesRequest());
                return new[] { "node-1", "node-2", "node-3" }.All(n => nodes.Nodes.Any(x => x.Name == n && x.State == NodeState.Ready));
            }, Bound, $"the gateway on {server.GrpcAddress} to list the three nodes ready");
        }
    }

    [Fact]
    public async Task PipelineAppliedOnGateway1_RunSubmittedOnGateway2_IsReadableOnGateway3AndThroughTheCliOnGateway1()
    {
        var name = "hello-" + Guid.NewGuid().ToString("N")[..6];
        await Gateway(1).Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            SpecYaml = $$$"""
                name: {{{name}}}
                steps:
                  - name: produce
                    command: [sh, -c, 'echo "produced by $CUDA_VISIBLE_DEVICES"; seq 1 1000 > {{outputs.numbers}}']
                    resources: {gpus: 1}
                    outputs: [numbers]
                  - name: consume
                    inputs: {numbers: '{{steps.produce.outputs.numbers}}'}
                    command: [sh, -c, 'awk "{s+=\$1} END {print s}" {{inputs.numbers}} | tee {{outputs.total}}']
                    outputs: [total]
                """,
        });
        var visible = await Gateway(3).Pipelines.GetPipelineAsync(new GetPipelineRequest { Name = name });
        Assert.Equal(1, visible.Version);

        var run = await Gateway(2).Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = name });
        var done = await Eventually.Until(async () =>
        {
            var r = await Gateway(3).Runs.GetRunAsync(new GetRunRequest { RunId = run.Id });
            return r.State is RunState.Succeeded or RunState.Failed ? r : null;
        }, Bound, "the run to finish");

        Assert.Equal(RunState.Succeeded, done.State);
        Assert.Equal("500500", done.Steps.Single(s => s.Key == "consume").Outputs.Single().Value.Trim());
        Assert.Contains("500500", await Logs.ReadAsync(Gateway(3).Runs, run.Id, "consume"), StringComparison.Ordinal);
        var listed = await Gateway(1).Runs.ListRunsAsync(new ListRunsRequest { Pipeline = name });
        Assert.Equal([run.Id], listed.Runs.Select(r => r.Id));

        await using var cli = ChildProcess.StartDotnet(Repo.CliDll, ["--server", Gateway(1).GrpcAddress, "run", "logs", run.Id, "produce"]);
        Assert.Equal(0, await cli.WaitForExitAsync(Bound));
        Assert.Contains("produced by", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FollowingLogsOnOneGateway_SeesLinesWrittenOnAnyNode_UntilTheStepEnds()
    {
        var name = "follow-" + Guid.NewGuid().ToString("N")[..6];
        await Gateway(2).Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            SpecYaml = $$$"""
                name: {{{name}}}
                steps:
                  - name: talk
                    command: [sh, -c, 'for i in 1 2 3; do echo "line $i"; done']
                """,
        });
        var run = await Gateway(3).Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = name });
        await Eventually.Until(async () =>
            (await Gateway(1).Runs.GetRunAsync(new GetRunRequest { RunId = run.Id })).Steps.Any(s => s.Attempt > 0), Bound, "the step to be placed");

        await using var follow = ChildProcess.StartDotnet(Repo.CliDll, ["--server", Gateway(1).GrpcAddress, "run", "logs", run.Id, "talk", "--follow"]);

        Assert.Equal(0, await follow.WaitForExitAsync(Bound));
        Assert.Contains("line 1", follow.Output, StringComparison.Ordinal);
        Assert.Contains("line 3", follow.Output, StringComparison.Ordinal);
    }
}
