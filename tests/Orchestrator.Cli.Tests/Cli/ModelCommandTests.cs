using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch models register/alias/unalias/versions/compare/audit/get/list against a fake server: what is
/// sent (with the user for the audit trail) and what is printed, as tables and as JSON.</summary>
public sealed class ModelCommandTests
{
    private const string VersionYaml = """
        artifact: {digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222", size_bytes: 4096}
        source: {run_id: run-00000000000000aa, step_key: train}
        metrics: {auc: 0.91}
        profile:
          numeric:
            tenure: {bin_edges: [12, 24], proportions: [0.3, 0.3, 0.4]}
        """;

    private static readonly Timestamp Created = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-5));

    [Fact]
    public async Task Register_SendsTheParsedVersionWithReasonRequestIdAndUser_AndSaysRegistered()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.RegisterModelVersion = request => new RegisterModelVersionResponse
        {
            Version = new ModelVersion { Name = request.Name, Version = 3, Spec = request.Version },
        };
        using var file = new TempFile(VersionYaml);

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "alice"),
            "models", "register", "churn", "-f", file.Path, "--reason", "weekly retrain", "--request-id", "r-1", "--tenant", "acme");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(server.Backend.Received<RegisterModelVersionRequest>());
        Assert.Equal(("acme", "churn", "weekly retrain", "r-1"), (request.Tenant, request.Name, request.Reason, request.RequestId));
        Assert.Equal(4096, request.Version.Artifact.SizeBytes);
        Assert.Equal([0.3, 0.3, 0.4], request.Version.Profile.Numeric["tenure"].Proportions);
        Assert.Equal(["alice"], server.Backend.ModelCallers);
        Assert.Equal("model churn: version 3 registered (sha256:22222222…)", result.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Register_BadYaml_PrintsFileLineColumnAndPath_Exits2_AndSendsNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        using var file = new TempFile("artifact: {digest: abc, size_bytes: big}\n");

        var result = await CliHarness.RunAsync(server.Address, "models", "register", "churn", "-f", file.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {file.Path}, line 1, column 37: artifact.size_bytes: expected a whole number, got 'big'", result.Stderr.TrimEnd());
        Assert.Empty(server.Backend.Requests);
    }

    [Fact]
    public async Task Alias_SendsTheChange_AndSaysWhereItMoved_UnaliasSaysRemoved()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetAlias = request => new AliasChange { Alias = request.Alias, Version = 2, PreviousVersion = 1, Changed = true };
        server.Backend.RemoveAlias = request => new AliasChange { Alias = request.Alias, PreviousVersion = 2, Changed = true };

        var moved = await CliHarness.RunWithEnvironmentAsync(Env(server, "bob"), "models", "alias", "churn", "champion", "challenger", "--reason", "promote");
        var removed = await CliHarness.RunWithEnvironmentAsync(Env(server, "bob"), "models", "unalias", "churn", "challenger");

        var request = Assert.Single(server.Backend.Received<SetAliasRequest>());
        Assert.Equal(("churn", "champion", "challenger", "promote"), (request.Name, request.Alias, request.Version, request.Reason));
        Assert.Equal("model churn: alias champion moved from version 1 to 2", moved.Stdout.TrimEnd());
        Assert.Equal("model churn: alias challenger removed (was version 2)", removed.Stdout.TrimEnd());
        Assert.Equal(["bob", "bob"], server.Backend.ModelCallers);
    }

    [Fact]
    public async Task Versions_SendsEveryFilter_AndPrintsOneRowPerVersion()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.ListModelVersions = _ => new ListModelVersionsResponse
        {
            Versions =
            {
                new ModelVersion { Version = 4, Aliases = { "champion" }, CreatedAt = Created, CreatedBy = "alice", Spec = new ModelVersionSpec { Metrics = { ["auc"] = 0.91, ["loss"] = 0.2 } } },
            },
            NextPageToken = "b4",
        };

        var result = await CliHarness.RunAsync(server.Address,
            "models", "versions", "churn", "--metric", "auc>=0.8", "--metric", "loss<0.3", "--tag", "team=ml", "--alias", "champion", "--limit", "1");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(server.Backend.Received<ListModelVersionsRequest>());
        Assert.Equal(["auc>=0.8", "loss<0.3"], request.MetricFilters);
        Assert.Equal(("team=ml", "champion", 1), (request.TagSelector, request.Alias, request.PageSize));
        Assert.Equal("VERSION  ALIASES   METRICS            RUN  CREATED  BY", result.StdoutLines[0]);
        Assert.Equal("4        champion  auc=0.91 loss=0.2  -    5m       alice", result.StdoutLines[1]);
        Assert.Equal("more versions: add --page-token b4 (or --all)", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Compare_PrintsMetricsWithDeltasAndParametersThatDiffer()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.CompareModelVersions = _ => new CompareModelVersionsResponse
        {
            A = new ModelVersion { Version = 1 }, B = new ModelVersion { Version = 2 },
            Metrics = { new MetricComparison { Name = "auc", A = 0.85, B = 0.91, Delta = 0.06 }, new MetricComparison { Name = "f1", B = 0.7 } },
            Parameters = { new ParameterComparison { Name = "epochs", A = "150", B = "200", Differs = true } },
            ArtifactDiffers = true,
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "compare", "churn", "1", "champion");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(server.Backend.Received<CompareModelVersionsRequest>());
        Assert.Equal(("1", "champion"), (request.VersionA, request.VersionB));
        Assert.Equal(
            ["METRIC  V1    V2    DELTA", "auc     0.85  0.91  +0.06", "f1      -     0.7   -", "", "PARAMETER  V1   V2", "epochs     150  200  differs", "",
                "artifact: differs; training data: same"],
            result.StdoutLines);
    }

    [Fact]
    public async Task Audit_JsonOutput_ParsesBackToTheResponse_AndTheTableSaysWhoWhatWhy()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var sent = new GetAuditTrailResponse
        {
            Entries =
            {
                new ModelAuditEntry
                {
                    Sequence = 2, At = Created, Actor = "bob", Action = ModelAuditAction.AliasMoved, Alias = "champion", Version = 2, PreviousVersion = 1,
                    Reason = "auc +0.06", Summary = "alias champion moved from version 1 to 2",
                },
            },
        };
        server.Backend.GetAuditTrail = _ => sent;

        var json = await CliHarness.RunAsync(server.Address, "models", "audit", "churn", "-o", "json");
        var table = await CliHarness.RunAsync(server.Address, "models", "audit", "churn");

        Assert.Equal(sent, JsonParser.Default.Parse<GetAuditTrailResponse>(json.Stdout));
        Assert.Equal("2    5m   bob  alias champion moved from version 1 to 2  auc +0.06", table.StdoutLines[1]);
    }

    [Fact]
    public async Task Get_WithAVersion_ShowsItInFull_AndWithoutOneTheModel()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetModelVersion = request => new ModelVersion
        {
            Name = request.Name, Tenant = "default", Version = 2, Aliases = { "champion" }, CreatedAt = Created, CreatedBy = "alice",
            Spec = new ModelVersionSpec
            {
                Artifact = new ModelArtifact { Digest = new string('2', 64), SizeBytes = 4096 }, Metrics = { ["auc"] = 0.91 },
                Profile = new BaselineProfile { Numeric = { ["tenure"] = new NumericFeatureProfile { BinEdges = { 12 }, Proportions = { 0.5, 0.5 } } } },
            },
        };
        server.Backend.GetModel = request => new Model
        {
            Name = request.Name, Tenant = "default", LatestVersion = 2, VersionCount = 2, Aliases = { ["champion"] = 2 },
            Versions = { new ModelVersionSummary { Version = 2, Aliases = { "champion" } }, new ModelVersionSummary { Version = 1 } },
        };

        var version = await CliHarness.RunAsync(server.Address, "models", "get", "churn", "--version", "champion");
        var model = await CliHarness.RunAsync(server.Address, "models", "get", "churn");

        Assert.Equal("champion", Assert.Single(server.Backend.Received<GetModelVersionRequest>()).Version);
        Assert.Contains("version   2 (champion)", version.StdoutLines);
        Assert.Contains(version.StdoutLines, l => l.StartsWith("tenure", StringComparison.Ordinal) && l.Contains("numeric", StringComparison.Ordinal));
        Assert.Contains("aliases   champion=v2", model.StdoutLines);
    }

    [Fact]
    public async Task ServerErrors_AreShownWithTheirStatus()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.ListModels = _ => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.NotFound, "model churn does not exist in tenant default"));

        var result = await CliHarness.RunAsync(server.Address, "models", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: NOT_FOUND: model churn does not exist in tenant default", result.Stderr.TrimEnd());
    }

    private static Dictionary<string, string> Env(FakeOrchestratorServer server, string user) => new() { ["ORCH_SERVER"] = server.Address, ["USER"] = user };

    /// <summary>A file with this text, deleted on dispose.</summary>
    private sealed class TempFile : IDisposable
    {
        public TempFile(string text)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"orch-model-{Guid.NewGuid():N}.yaml");
            File.WriteAllText(Path, text);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
