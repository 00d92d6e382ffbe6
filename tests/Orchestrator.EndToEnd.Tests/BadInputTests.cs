using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Malformed specs and requests get the right status and a message that names the field and the fix; the
/// server keeps serving and nothing half-written is left behind.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class BadInputTests(EmbeddedServerFixture fixture)
{
    public static TheoryData<string, string, string[]> InvalidSpecs => new()
    {
        { "cycle", """
            name: bad-cycle
            steps:
              - {name: a, command: ['true'], after: [b]}
              - {name: b, command: ['true'], after: [a]}
            """, ["steps[0].after", "a -> b -> a"] },
        { "unknown parameter", """
            name: bad-param
            steps:
              - {name: a, command: [echo, '{{params.nope}}']}
            """, ["steps[0].command[1]", "nope"] },
        { "output read from command", """
            name: bad-output-ref
            steps:
              - {name: a, command: ['true'], outputs: [o]}
              - {name: b, command: [cat, '{{steps.a.outputs.o}}']}
            """, ["steps[1].command[1]", "{{inputs."] },
        { "missing upstream output", """
            name: bad-input
            steps:
              - {name: a, command: ['true']}
              - {name: b, command: ['true'], inputs: {data: '{{steps.a.outputs.model}}'}}
            """, ["steps[1].inputs.data", "model"] },
        { "bad memory", """
            name: bad-memory
            steps:
              - {name: a, command: ['true'], resources: {memory: 4GG}}
            """, ["steps[0].resources.memory"] },
        { "duplicate step", """
            name: bad-dup
            steps:
              - {name: a, command: ['true']}
              - {name: a, command: ['true']}
            """, ["steps[1].name", "a"] },
        { "empty command", """
            name: bad-empty
            steps:
              - {name: a, command: []}
            """, ["steps[0].command"] },
        { "wrong default type", """
            name: bad-default
            parameters: [{name: n, type: int, default: abc}]
            steps:
              - {name: a, command: [echo, '{{params.n}}']}
            """, ["parameters[0].default", "integer"] },
        { "bad name", """
            name: Bad_Name
            steps:
              - {name: a, command: ['true']}
            """, ["spec.name"] },
        { "yaml syntax", "name: x\nsteps: [\n", ["spec_yaml", "line"] },
        { "unknown yaml field", """
            name: bad-field
            steps:
              - {name: a, command: ['true'], resourcs: {gpus: 1}}
            """, ["spec_yaml", "resources"] },
    };

    [Theory]
    [MemberData(nameof(InvalidSpecs))]
    public async Task InvalidSpec_IsRejectedWithTheFieldPath_AndNothingIsStored(string why, string yaml, string[] fragments)
    {
        var error = await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { SpecYaml = yaml }).ResponseAsync, fragments);
        Assert.False(string.IsNullOrEmpty(error.Status.Detail), why);

        var pipelines = await fixture.Server.Pipelines.ListPipelinesAsync(new ListPipelinesRequest());
        Assert.DoesNotContain(pipelines.Pipelines, p => p.Name.StartsWith("bad-", StringComparison.Ordinal));
        await AssertServing();
    }

    [Fact]
    public async Task OversizedSpec_IsResourceExhausted()
    {
        var spec = new PipelineSpec { Name = "huge", Description = new string('x', 1024 * 1024 + 10) };
        spec.Steps.Add(new StepSpec { Name = "a", Command = { "true" } });
        await ServerProcess.ExpectStatus(StatusCode.ResourceExhausted,
            () => fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { Spec = spec }).ResponseAsync, "spec", "limit");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest()).ResponseAsync, "spec", "is required");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { Tenant = "No Spaces", Spec = new PipelineSpec { Name = "x" } }).ResponseAsync, "tenant");
    }

    [Fact]
    public async Task BadSubmits_GetTheirStatus_AndLeaveNoRunBehind()
    {
        await fixture.ApplyAsync("""
            name: strict
            parameters:
              - {name: n, type: int, default: 1}
              - {name: items, type: list, default: [1]}
            steps:
              - {name: a, command: [echo, '{{params.n}}']}
              - {name: fan, command: [echo, '{{item}}'], foreach: '{{params.items}}'}
            """);
        var before = (await fixture.Server.Runs.ListRunsAsync(new ListRunsRequest { PageSize = 1000 })).Runs.Count;

        await ServerProcess.ExpectStatus(StatusCode.NotFound, () => Submit("no-such-pipeline"), "no-such-pipeline", "orch pipeline apply");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument, () => Submit("strict", ("nope", Value.ForString("1"))), "parameters.nope", "n, items");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument, () => Submit("strict", ("n", Value.ForString("ten"))), "parameters.n", "integer");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument, () => Submit("strict", ("n", Value.ForStruct(new Struct()))), "parameters.n");
        var tooMany = Value.ForList([.. Enumerable.Range(0, 10_001).Select(i => Value.ForNumber(i))]);
        await ServerProcess.ExpectStatus(StatusCode.ResourceExhausted, () => Submit("strict", ("items", tooMany)), "parameters.items", "10,000");
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => fixture.Server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "strict", Priority = 5000 }).ResponseAsync, "priority");
        var badLabel = new SubmitRunRequest { Pipeline = "strict" };
        badLabel.Labels["-bad key-"] = "x";
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument, () => fixture.Server.Runs.SubmitRunAsync(badLabel).ResponseAsync, "labels.-bad key-");
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => fixture.Server.Runs.SubmitRunAsync(new SubmitRunRequest { Pipeline = "strict", PipelineVersion = "99" }).ResponseAsync, "no version 99");

        var after = (await fixture.Server.Runs.ListRunsAsync(new ListRunsRequest { PageSize = 1000 })).Runs.Count;
        Assert.Equal(before, after);
        await AssertServing();
    }

    [Fact]
    public async Task LookupsOfThingsThatDoNotExist_AreNotFound_AndMalformedIdsInvalid()
    {
        await ServerProcess.ExpectStatus(StatusCode.InvalidArgument,
            () => fixture.Server.Runs.GetRunAsync(new GetRunRequest { RunId = "../etc/passwd" }).ResponseAsync, "run_id", "run-1a2b3c4d5e6f7a8b");
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => fixture.Server.Runs.GetRunAsync(new GetRunRequest { RunId = "run-00000000000000aa" }).ResponseAsync, "run-00000000000000aa");
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => fixture.Server.Pipelines.GetPipelineAsync(new GetPipelineRequest { Name = "never-created" }).ResponseAsync, "never-created");
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => fixture.Server.Nodes.CordonNodeAsync(new CordonNodeRequest { Node = "ghost" }).ResponseAsync, "ghost");

        await fixture.ApplyAsync("""
            name: tiny
            steps:
              - {name: only, command: ['true']}
            """);
        var run = await fixture.SubmitAndWaitAsync("tiny");
        await ServerProcess.ExpectStatus(StatusCode.NotFound, async () =>
        {
            using var logs = fixture.Server.Runs.StreamLogs(new StreamLogsRequest { RunId = run.Id, StepKey = "nope" });
            await logs.ResponseStream.MoveNext(CancellationToken.None);
        }, "no step 'nope'", "only");
        await AssertServing();
    }

    private Task<Run> Submit(string pipeline, params (string Name, Value Value)[] parameters)
    {
        var request = new SubmitRunRequest { Pipeline = pipeline };
        foreach (var (name, value) in parameters) request.Parameters[name] = value;
        return fixture.Server.Runs.SubmitRunAsync(request).ResponseAsync;
    }

    private async Task AssertServing()
    {
        var health = await new Health.HealthClient(fixture.Server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }
}
