using Orchestrator.Core.Pipelines;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Storage;
using Orchestrator.Grains.Runs;
using Orchestrator.Grains.Tests.Support;

namespace Orchestrator.Grains.Tests.Runs;

/// <summary>Verifies run submission: a repeated request id returns the same run, a reused one with other parameters
/// is refused, and a submit that fails (unknown pipeline, bad parameter) names the problem and leaves no run behind.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SubmitTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Submit_WithTheSameRequestId_ReturnsTheSameRun()
    {
        await using var s = fixture.NewScenario();
        await CreateAsync(s);
        var arguments = new Dictionary<string, string> { ["x"] = "7" };

        var first = await s.SubmitAsync("typed", arguments, requestId: "nightly-2026-11-28");
        var again = await s.SubmitAsync("typed", new Dictionary<string, string>(arguments), requestId: "nightly-2026-11-28");

        Assert.Equal(RunIds.FromRequest(s.Tenant, "nightly-2026-11-28"), first.Definition.Id);
        Assert.Equal(first.Definition.Id, again.Definition.Id);
        Assert.Equal(first.Definition.CreatedAt, again.Definition.CreatedAt);
        Assert.Equal("7", again.Parameters["x"]);
        // One submission happened: one RunSubmitted event, one index entry.
        var events = (await s.Run(first.Definition.Id).GetAsync(includeEvents: true)).Events;
        Assert.Single(events, e => e.Type == RunEventType.RunSubmitted);
        var page = await fixture.Cluster.RunIndex.QueryAsync(new RunQuery { Tenant = s.Tenant });
        Assert.Equal([first.Definition.Id], page.Runs.Select(r => r.Id));
        Assert.Equal("nightly-2026-11-28", page.Runs[0].RequestId);
    }

    [Fact]
    public async Task Submit_WithTheSameRequestIdAndOtherParameters_IsRefusedAsAlreadyExists()
    {
        await using var s = fixture.NewScenario();
        await CreateAsync(s);
        var first = await s.SubmitAsync("typed", new Dictionary<string, string> { ["x"] = "7" }, requestId: "r-1");

        var error = await Assert.ThrowsAsync<OrchestratorException>(() =>
            s.SubmitAsync("typed", new Dictionary<string, string> { ["x"] = "8" }, requestId: "r-1"));

        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
        Assert.Contains("request_id 'r-1'", error.Message);
        Assert.Contains("use a new request_id", error.Message);
        var run = await s.Run(first.Definition.Id).GetAsync(includeEvents: false);
        Assert.Equal("7", run.Parameters["x"]);
    }

    [Fact]
    public async Task Submit_OfAnUnknownPipeline_IsNotFound_AndLeavesNoIndexEntry()
    {
        await using var s = fixture.NewScenario();
        var runId = RunIds.FromRequest(s.Tenant, "r-unknown");

        var error = await Assert.ThrowsAsync<OrchestratorException>(() => s.SubmitAsync("nowhere", requestId: "r-unknown"));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains("nowhere", error.Message);
        Assert.Null(await fixture.Cluster.RunIndex.GetAsync(runId));
        Assert.DoesNotContain(runId, await fixture.Cluster.RunIndex.ListActiveAsync());
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<OrchestratorException>(() => s.Run(runId).GetAsync(false))).Kind);
    }

    [Fact]
    public async Task Submit_OfAnUnknownPipelineVersion_IsNotFound_AndLeavesNoIndexEntry()
    {
        await using var s = fixture.NewScenario();
        await CreateAsync(s);
        var runId = RunIds.FromRequest(s.Tenant, "r-version");

        var error = await Assert.ThrowsAsync<OrchestratorException>(() => s.SubmitAsync("typed", requestId: "r-version", version: "9"));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Null(await fixture.Cluster.RunIndex.GetAsync(runId));
    }

    [Theory]
    [InlineData("x", "seven", "parameters.x")]
    [InlineData("y", "1", "parameters.y")]
    public async Task Submit_WithABadParameter_IsInvalidArgumentNamingTheParameter(string name, string value, string field)
    {
        await using var s = fixture.NewScenario();
        await CreateAsync(s);
        var runId = RunIds.FromRequest(s.Tenant, "r-bad");

        var error = await Assert.ThrowsAsync<OrchestratorException>(() =>
            s.SubmitAsync("typed", new Dictionary<string, string> { [name] = value }, requestId: "r-bad"));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(field, error.Field);
        Assert.Contains(error.Fields, f => f.Field == field);
        Assert.Null(await fixture.Cluster.RunIndex.GetAsync(runId));
        Assert.Equal(0, await fixture.Cluster.RunIndex.CountActiveAsync(s.Tenant, "typed"));

        // The same request id works once the parameters are fixed.
        var fixedRun = await s.SubmitAsync("typed", new Dictionary<string, string> { ["x"] = "7" }, requestId: "r-bad");
        Assert.Equal(runId, fixedRun.Definition.Id);
    }

    private static Task CreateAsync(Scenario s) => s.CreatePipelineAsync(new PipelineSpec
    {
        Name = "typed",
        Parameters = [new ParameterSpec { Name = "x", Type = ParameterType.Int }],
        // Queued for a GPU no node has: the runs stay put while the test looks at them.
        Steps = [Specs.Step("work", s.Id).WithGpus(1, "no-such-gpu") with { Env = new Dictionary<string, string> { ["X"] = "{{params.x}}" } }],
    });
}
