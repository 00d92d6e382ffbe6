using Google.Protobuf.WellKnownTypes;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies orch models gates / gates set / gates check against a fake server: the gate file is parsed and
/// sent with the user and reason, a bad file is refused before sending, the gates and a check are printed as tables,
/// and check exits 3 when a gate fails and 0 when all pass.</summary>
public sealed class ModelGateCommandTests
{
    private const string GatesYaml = """
        gates:
          - metric_threshold: {expression: "auc>=0.8"}
          - name: beats champion
            beat_champion: {metric: rmse, margin: 0.5, higher_is_better: false}
          - segment_gap: {metric: accuracy, segments: ["group=a", "group=b"], max_gap: 0.05}
          - max_artifact_size: {max_bytes: 500000000}
        """;

    [Fact]
    public async Task Set_SendsTheParsedGatesWithReasonAndUser_AndSaysTheRevision()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SetGates = request => new ModelGates { Name = request.Name, Revision = 2, Gates = { request.Gates } };
        var path = Write(GatesYaml);
        try
        {
            var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "carol"),
                "models", "gates", "set", "churn", "-f", path, "--reason", "release policy", "--tenant", "acme");

            Assert.Equal(0, result.ExitCode);
            var request = Assert.Single(server.Backend.Received<SetGatesRequest>());
            Assert.Equal(("acme", "churn", "release policy", 4), (request.Tenant, request.Name, request.Reason, request.Gates.Count));
            Assert.Equal("auc>=0.8", request.Gates[0].MetricThreshold.Expression);
            Assert.Equal(("beats champion", "rmse", 0.5, true, false),
                (request.Gates[1].Name, request.Gates[1].BeatChampion.Metric, request.Gates[1].BeatChampion.Margin,
                 request.Gates[1].BeatChampion.HasHigherIsBetter, request.Gates[1].BeatChampion.HigherIsBetter));
            Assert.Equal(["group=a", "group=b"], request.Gates[2].SegmentGap.Segments);
            Assert.Equal(500_000_000, request.Gates[3].MaxArtifactSize.MaxBytes);
            Assert.Equal(["carol"], server.Backend.ModelCallers);
            Assert.Equal("model churn: 4 gates set (revision 2)", result.Stdout.TrimEnd());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Set_ABadFile_NamesFileAndField_Exits2_AndSendsNothing()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        var path = Write("gates:\n  - max_artifact_size: {max_bytes: big}\n");
        try
        {
            var result = await CliHarness.RunAsync(server.Address, "models", "gates", "set", "churn", "-f", path);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"{path}, line 2", result.Stderr);
            Assert.Contains("gates[0].max_artifact_size.max_bytes", result.Stderr);
            Assert.Empty(server.Backend.Requests);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Show_PrintsOneRowPerGate()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.GetGates = request => new ModelGates
        {
            Name = request.Name, Revision = 3, UpdatedBy = "carol", UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-2)),
            Gates =
            {
                new ValidationGate { MetricThreshold = new MetricThresholdGate { Expression = "auc>=0.8" } },
                new ValidationGate { SegmentGap = new SegmentGapGate { Metric = "accuracy", Segments = { "group=a", "group=b" }, MaxGap = 0.05 } },
            },
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "gates", "churn");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.Contains("metric_threshold", StringComparison.Ordinal) && l.Contains("auc>=0.8", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.Contains("accuracy gap across group=a, group=b <= 0.05", StringComparison.Ordinal));
        Assert.Contains("revision 3, set 2m ago by carol", result.Stdout);
        Assert.Equal("churn", Assert.Single(server.Backend.Received<GetGatesRequest>()).Name);
    }

    [Fact]
    public async Task Check_AFailingGate_PrintsTheTable_AndExits3()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.EvaluateGates = request => new GateEvaluation
        {
            Version = 3, Passed = false, GatesRevision = 1, ChampionVersion = 1,
            Results =
            {
                new GateResult { Gate = "auc>=0.8", Passed = true, Value = 0.86, Bound = 0.8, Comparison = ">=", Message = "auc is 0.86" },
                new GateResult { Gate = "beats champion", Passed = false, Value = 0.86, Bound = 0.87, Comparison = ">=", Message = "does not beat" },
            },
        };

        var result = await CliHarness.RunWithEnvironmentAsync(Env(server, "dave"), "models", "gates", "check", "churn", "challenger", "--reason", "nightly");

        Assert.Equal(3, result.ExitCode);
        var request = Assert.Single(server.Backend.Received<EvaluateGatesRequest>());
        Assert.Equal(("churn", "challenger", "nightly"), (request.Name, request.Version, request.Reason));
        Assert.Equal(["dave"], server.Backend.ModelCallers);
        Assert.Contains(result.StdoutLines, l => l.Contains("beats champion", StringComparison.Ordinal) && l.Contains(">= 0.87", StringComparison.Ordinal)
            && l.Contains("NO", StringComparison.Ordinal));
        Assert.Contains("model churn version 3: FAILED 1 of 2 gates (gates revision 1, champion version 1)", result.Stdout);
    }

    [Fact]
    public async Task Check_AllPassing_Exits0_AndJsonHasTheResults()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.EvaluateGates = _ => new GateEvaluation
        {
            Version = 2, Passed = true, Results = { new GateResult { Gate = "auc>=0.8", Passed = true, Value = 0.9, Bound = 0.8, Comparison = ">=", Message = "ok" } },
        };

        var result = await CliHarness.RunAsync(server.Address, "models", "gates", "check", "churn", "2", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"passed\": true", result.Stdout);
        Assert.Contains("\"message\": \"ok\"", result.Stdout);
    }

    private static string Write(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"orch-gates-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private static Dictionary<string, string> Env(FakeOrchestratorServer server, string user) => new() { ["ORCH_SERVER"] = server.Address, ["USER"] = user };
}
