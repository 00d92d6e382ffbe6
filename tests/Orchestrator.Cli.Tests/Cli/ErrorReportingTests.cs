using System.Net;
using System.Net.Sockets;

using Grpc.Core;

using Orchestrator.Cli.Tests.Support;
using Orchestrator.Contracts.V1;

namespace Orchestrator.Cli.Tests.Cli;

/// <summary>Verifies how orch reports failures: gRPC statuses, an unreachable server, bad flags, and which exit code each gets.</summary>
public sealed class ErrorReportingTests
{
    [Theory]
    [InlineData(StatusCode.InvalidArgument, "steps[2].command: must not be empty", "INVALID_ARGUMENT", 2)]
    [InlineData(StatusCode.NotFound, "pipeline churn not found", "NOT_FOUND", 2)]
    [InlineData(StatusCode.AlreadyExists, "exists", "ALREADY_EXISTS", 2)]
    [InlineData(StatusCode.FailedPrecondition, "runs of churn are active", "FAILED_PRECONDITION", 2)]
    [InlineData(StatusCode.ResourceExhausted, "tenant quota reached", "RESOURCE_EXHAUSTED", 2)]
    [InlineData(StatusCode.Internal, "boom", "INTERNAL", 1)]
    [InlineData(StatusCode.PermissionDenied, "no", "PERMISSION_DENIED", 1)]
    [InlineData(StatusCode.Unavailable, "shutting down", "UNAVAILABLE", 1)]
    public async Task ServerError_IsShownWithItsStatusName_AndMappedToTheExitCode(StatusCode code, string detail, string name, int exitCode)
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.SubmitRun = _ => throw new RpcException(new Status(code, detail));

        var result = await CliHarness.RunAsync(server.Address, "run", "submit", "churn");

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal($"error: {name}: {detail}", result.Stderr.TrimEnd());
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task ServerDown_SaysItCannotReachItAndHowToStartIt_Exit1()
    {
        var address = $"http://127.0.0.1:{UnusedPort()}";

        var result = await CliHarness.RunAsync(address, "nodes");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: cannot reach the server at {address} (connection refused); start it with 'dotnet run --project src/Orchestrator.Server', "
            + "or point --server (ORCH_SERVER) at a running one", result.Stderr.TrimEnd());
    }

    [Fact]
    public async Task ServerOption_OverridesTheEnvironment()
    {
        await using var server = await FakeOrchestratorServer.StartAsync();
        server.Backend.ListNodes = _ => new ListNodesResponse();

        var result = await CliHarness.RunAsync($"http://127.0.0.1:{UnusedPort()}", "nodes", "--server", server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(server.Backend.Received<ListNodesRequest>());
    }

    [Fact]
    public async Task Defaults_AreLocalhost7070AndTenantDefault_UnlessTheEnvironmentSaysOtherwise()
    {
        var plain = await CliHarness.RunWithEnvironmentAsync(new Dictionary<string, string>(), "nodes", "--help");
        var configured = await CliHarness.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["ORCH_SERVER"] = "http://orch.internal:9000", ["ORCH_TENANT"] = "acme" }, "nodes", "--help");

        Assert.Contains("[default: http://127.0.0.1:7070]", plain.Stdout, StringComparison.Ordinal);
        Assert.Contains("[default: default]", plain.Stdout, StringComparison.Ordinal);
        Assert.Contains("[default: http://orch.internal:9000]", configured.Stdout, StringComparison.Ordinal);
        Assert.Contains("[default: acme]", configured.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--server", "localhost:7070", "nodes" }, "error: --server 'localhost:7070' is not a server URL; write it like http://127.0.0.1:7070 (or set ORCH_SERVER)")]
    [InlineData(new[] { "nodes", "-o", "xml" }, "error: Argument 'xml' not recognized.")]
    [InlineData(new[] { "run", "list", "--limit", "0" }, "error: --limit 0 is out of range; give 1 to 1000")]
    [InlineData(new[] { "run", "logs", "r-1", "train", "-o", "yaml" }, "error: -o yaml does not apply to 'run logs'; use -o table or -o json")]
    [InlineData(new[] { "pipeline", "apply" }, "error: Option '--file' is required.")]
    [InlineData(new[] { "run", "frobnicate" }, "error: Unrecognized command or argument 'frobnicate'.")]
    public async Task BadCommandLine_Exits2WithAMessage(string[] args, string message)
    {
        var result = await CliHarness.RunAsync($"http://127.0.0.1:{UnusedPort()}", args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_HasADescriptionAndExamples_ForEveryCommand()
    {
        string[][] commands =
        [
            ["pipeline", "apply"], ["pipeline", "list"], ["pipeline", "get"], ["pipeline", "versions"], ["pipeline", "delete"],
            ["run", "submit"], ["run", "list"], ["run", "get"], ["run", "watch"], ["run", "cancel"], ["run", "retry"], ["run", "logs"],
            ["nodes"], ["nodes", "list"], ["nodes", "cordon"], ["nodes", "uncordon"],
        ];
        foreach (var command in commands)
        {
            var result = await CliHarness.RunAsync(null, [.. command, "--help"]);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Description:", result.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"Examples?:\n  orch " + string.Join(' ', command.Take(1)), result.Stdout.ReplaceLineEndings("\n"));
        }
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
