using Grpc.Core;
using Orchestrator.Contracts.V1;
using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>Pipeline versions are immutable and content-addressed; deleting is refused while runs of the pipeline are active.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class PipelineVersionTests(EmbeddedServerFixture fixture)
{
    private const string V1 = """
        name: versioned
        parameters: [{name: dir, type: string}]
        steps:
          - name: wait
            command: [sh, -c, 'while [ ! -f {{params.dir}}/go ]; do sleep 0.05; done']
        """;

    /// <summary>The same spec with its keys in another order and other YAML styles.</summary>
    private const string V1Reordered = """
        # same pipeline, written differently
        steps:
          - command:
              - sh
              - -c
              - "while [ ! -f {{params.dir}}/go ]; do sleep 0.05; done"
            name: wait
        parameters:
          - type: string
            name: dir
        name: versioned
        """;

    [Fact]
    public async Task IdenticalSpec_GivesTheSameVersion_AChangedOneANewVersion_AndDeleteWaitsForActiveRuns()
    {
        var first = await fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { SpecYaml = V1 });
        var reordered = await fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest { SpecYaml = V1Reordered });
        Assert.False(first.AlreadyExisted);
        Assert.True(reordered.AlreadyExisted);
        Assert.Equal(first.Version.Digest, reordered.Version.Digest);
        Assert.Equal(1, reordered.Version.Version);

        var changed = await fixture.Server.Pipelines.CreatePipelineVersionAsync(new CreatePipelineVersionRequest
        {
            SpecYaml = V1.Replace("sleep 0.05", "sleep 0.02", StringComparison.Ordinal), Description = "faster polling",
        });
        Assert.Equal(2, changed.Version.Version);
        Assert.NotEqual(first.Version.Digest, changed.Version.Digest);
        Assert.Equal(2, (await fixture.Server.Pipelines.GetPipelineAsync(new GetPipelineRequest { Name = "versioned" })).Version);
        Assert.Equal(1, (await fixture.Server.Pipelines.GetPipelineAsync(new GetPipelineRequest { Name = "versioned", Version = "1" })).Version);
        Assert.Equal(1, (await fixture.Server.Pipelines.GetPipelineAsync(new GetPipelineRequest { Name = "versioned", Version = first.Version.Digest[..10] })).Version);
        var versions = await fixture.Server.Pipelines.ListPipelineVersionsAsync(new ListPipelineVersionsRequest { Name = "versioned" });
        Assert.Equal([2, 1], versions.Versions.Select(v => v.Version));
        Assert.Contains((await fixture.Server.Pipelines.ListPipelinesAsync(new ListPipelinesRequest())).Pipelines,
            p => p.Name == "versioned" && p.LatestVersion == 2 && p.VersionCount == 2);

        var dir = RunControlTests.TempDir();
        var run = await fixture.SubmitAsync("versioned", new Dictionary<string, string> { ["dir"] = dir });
        Assert.Equal(2, run.PipelineVersion);
        await ServerProcess.ExpectStatus(StatusCode.FailedPrecondition,
            () => fixture.Server.Pipelines.DeletePipelineAsync(new DeletePipelineRequest { Name = "versioned" }).ResponseAsync, "1 active run");

        await File.WriteAllTextAsync(Path.Combine(dir, "go"), "");
        Assert.Equal(RunState.Succeeded, (await fixture.WaitAsync(run.Id)).State);
        var deleted = await fixture.Server.Pipelines.DeletePipelineAsync(new DeletePipelineRequest { Name = "versioned" });
        Assert.Equal(2, deleted.VersionsDeleted);
        await ServerProcess.ExpectStatus(StatusCode.NotFound,
            () => fixture.Server.Pipelines.GetPipelineAsync(new GetPipelineRequest { Name = "versioned" }).ResponseAsync, "versioned");

        // The run outlives its pipeline: it carries its own copy of the spec.
        var kept = await fixture.Server.Runs.GetRunAsync(new GetRunRequest { RunId = run.Id });
        Assert.Equal(RunState.Succeeded, kept.State);
    }
}
