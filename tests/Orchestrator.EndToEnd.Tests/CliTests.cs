using Orchestrator.EndToEnd.Tests.Harness;

namespace Orchestrator.EndToEnd.Tests;

/// <summary>The orch CLI as a user runs it, against the real server.</summary>
[Collection(EmbeddedServerCollection.Name)]
public sealed class CliTests(EmbeddedServerFixture fixture)
{
    [Fact]
    public async Task ApplySubmitWatch_RunsTheChurnExample_AndExitsZero()
    {
        var apply = await Orch("pipeline", "apply", "-f", Repo.Example("churn/pipeline.yaml"));
        Assert.Equal(0, apply.Exit);
        Assert.Contains("pipeline churn", apply.Output, StringComparison.Ordinal);

        var submit = await Orch("run", "submit", "churn", "-p", $"code_dir={Repo.Example("churn")}", "-p", "seed=31", "--label", "from=cli", "--watch");
        Assert.True(submit.Exit == 0, submit.Output);
        Assert.Contains("succeeded", submit.Output, StringComparison.Ordinal);

        var list = await Orch("run", "list", "--label", "from=cli", "-o", "json");
        Assert.Equal(0, list.Exit);
        Assert.Contains("RUN_STATE_SUCCEEDED", list.Output, StringComparison.Ordinal);

        var nodes = await Orch("nodes");
        Assert.Equal(0, nodes.Exit);
        Assert.Contains("e2e-node", nodes.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadParameter_ExitsTwo_WithTheServersMessage()
    {
        var apply = await Orch("pipeline", "apply", "-f", Repo.Example("churn/pipeline.yaml"));
        Assert.Equal(0, apply.Exit);
        var submit = await Orch("run", "submit", "churn", "-p", "rows=many");
        Assert.Equal(2, submit.Exit);
        Assert.Contains("INVALID_ARGUMENT", submit.Output, StringComparison.Ordinal);
        Assert.Contains("parameters.rows", submit.Output, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output)> Orch(params string[] args)
    {
        await using var cli = ChildProcess.StartDotnet(Repo.CliDll, ["--server", fixture.Server.GrpcAddress, .. args]);
        var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exit, cli.Output);
    }
}
