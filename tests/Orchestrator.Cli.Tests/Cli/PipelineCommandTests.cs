using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;
using Orchestrator.Contracts.Yaml;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch pipeline apply/list/get/versions/delete against a fake server: what is sent and what is printed.</summary>
public sealed class PipelineCommandTests
{
    private static readonly string ChurnFile = Path.Combine(RepositoryPaths.ChurnExample, "pipeline.yaml");

    [Fact]
    public async Task Apply_SendsTheParsedSpecWithTenantAndDescription_AndSaysCreated()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.CreatePipelineVersion = request => new CreatePipelineVersionResponse { Version = Version(request.Spec, 2) };

        var result = await CliHarness.RunAsync(server.Address, "pipeline", "apply", "-f", ChurnFile, "--description", "more epochs", "--tenant", "acme");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(server.Backend.Received<CreatePipelineVersionRequest>());
        Assert.Equal(PipelineYaml.Parse(File.ReadAllText(ChurnFile)), request.Spec);
        Assert.Equal("acme", request.Tenant);
        Assert.Equal("more epochs", request.Description);
        Assert.Equal("pipeline churn: version 2 (sha256:1a2b3c4d…) created", result.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Apply_IdenticalSpec_SaysUnchangedAndNamesTheVersion()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.CreatePipelineVersion = request => new CreatePipelineVersionResponse { Version = Version(request.Spec, 2), AlreadyExisted = true };

        var result = await CliHarness.RunAsync(server.Address, "pipeline", "apply", "-f", ChurnFile);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("pipeline churn: unchanged (identical to version 2, sha256:1a2b3c4d…)", result.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Apply_BadYaml_PrintsFileLineColumnAndPath_Exits2_AndSendsNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var file = Path.Combine(Path.GetTempPath(), $"orch-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "name: x\nsteps:\n  - name: a\n    resources: {gpus: two}\n");
        try
        {
            var result = await CliHarness.RunAsync(server.Address, "pipeline", "apply", "-f", file);

            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"error: {file}, line 4, column 23: steps[0].resources.gpus: expected a whole number, got 'two'", result.Stderr.TrimEnd());
            Assert.Empty(server.Backend.Requests);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Apply_MissingFile_Exits2NamingIt()
    {
        var result = await CliHarness.RunAsync(null, "pipeline", "apply", "-f", "/nonexistent/pipeline.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: -f '/nonexistent/pipeline.yaml': no such file", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Apply_JsonOutput_ParsesBackToTheResponse()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        CreatePipelineVersionResponse? sent = null;
        server.Backend.CreatePipelineVersion = request => sent = new CreatePipelineVersionResponse { Version = Version(request.Spec, 7) };

        var result = await CliHarness.RunAsync(server.Address, "pipeline", "apply", "-f", ChurnFile, "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(sent, JsonParser.Default.Parse<CreatePipelineVersionResponse>(result.Stdout));
        Assert.Contains("\"created_at\"", result.Stdout, StringComparison.Ordinal); // proto field names, not lowerCamelCase
    }

    [Fact]
    public async Task Get_YamlOutput_IsTheSpecReadyToApplyAgain()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var spec = PipelineYaml.Parse(File.ReadAllText(ChurnFile));
        server.Backend.GetPipeline = _ => Version(spec, 3);

        var result = await CliHarness.RunAsync(server.Address, "pipeline", "get", "churn", "--version", "3", "-o", "yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(spec, PipelineYaml.Parse(result.Stdout));
        var request = Assert.Single(server.Backend.Received<GetPipelineRequest>());
        Assert.Equal(("default", "churn", "3"), (request.Tenant, request.Name, request.Version));
    }

    [Fact]
    public async Task Get_Table_ShowsParametersAndSteps()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetPipeline = _ => Version(PipelineYaml.Parse(File.ReadAllText(ChurnFile)), 3);

        var result = await CliHarness.RunAsync(server.Address, "pipeline", "get", "churn");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.Contains("learning_rates", StringComparison.Ordinal) && l.Contains("list", StringComparison.Ordinal) && l.Contains("[ 0.3, 0.1 ]", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.StartsWith("train ", StringComparison.Ordinal) && l.Contains("prepare", StringComparison.Ordinal) && l.Contains("1 gpu", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.StartsWith("notify (exit handler)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListAndVersions_ShowOneRowEach()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var now = DateTimeOffset.UtcNow;
        server.Backend.ListPipelines = _ => new ListPipelinesResponse
        {
            Pipelines =
            {
                new PipelineSummary { Tenant = "default", Name = "churn", LatestVersion = 3, LatestDigest = new string('a', 64), VersionCount = 3, UpdatedAt = Timestamp.FromDateTimeOffset(now.AddMinutes(-5)) },
                new PipelineSummary { Tenant = "default", Name = "fraud", LatestVersion = 1, LatestDigest = new string('b', 64), VersionCount = 1 },
            },
        };
        server.Backend.ListPipelineVersions = _ => new ListPipelineVersionsResponse
        {
            Versions = { Version(new PipelineSpec { Name = "churn" }, 2), Version(new PipelineSpec { Name = "churn" }, 1) },
        };

        var list = await CliHarness.RunAsync(server.Address, "pipeline", "list");
        var versions = await CliHarness.RunAsync(server.Address, "pipeline", "versions", "churn");

        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"^churn\s+default\s+3\s+sha256:aaaaaaaa…\s+3\s+5m\s*$", list.StdoutLines[1]);
        Assert.StartsWith("fraud", list.StdoutLines[2], StringComparison.Ordinal);
        Assert.Equal(0, versions.ExitCode);
        Assert.Matches(@"^2\s+sha256:1a2b3c4d…", versions.StdoutLines[1]);
        Assert.Matches(@"^1\s+sha256:1a2b3c4d…", versions.StdoutLines[2]);
    }

    [Fact]
    public async Task Delete_SaysHowManyVersionsWentAway()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.DeletePipeline = _ => new DeletePipelineResponse { VersionsDeleted = 3 };

        var result = await CliHarness.RunAsync(server.Address, "pipeline", "delete", "churn");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("pipeline churn deleted (3 versions)", result.Stdout.TrimEnd());
        Assert.Equal("churn", Assert.Single(server.Backend.Received<DeletePipelineRequest>()).Name);
    }

    private static PipelineVersion Version(PipelineSpec spec, int number) => new()
    {
        Tenant = "default",
        Name = spec.Name,
        Version = number,
        Digest = "1a2b3c4d5e6f" + new string('0', 52),
        Spec = spec,
        CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)),
        CreatedBy = "alice",
        Description = $"v{number}",
    };
}
