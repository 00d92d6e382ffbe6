using System.CommandLine;
using Orchestrator.LoadTests.Hosting;

namespace Orchestrator.LoadTests.Placement;

/// <summary>The <c>placement</c> command and its options.</summary>
internal static class PlacementCommand
{
    /// <summary>Creates the command; <paramref name="runWithServer"/> provides the server.</summary>
    public static Command Create(Func<ParseResult, string, Func<ServerUnderTest, CancellationToken, Task<int>>, CancellationToken, Task<int>> runWithServer)
    {
        var nodes = new Option<int>("--nodes") { Description = "simulated nodes (agents over real gRPC), 1..5000", HelpName = "N", DefaultValueFactory = _ => 1000 };
        var gpus = new Option<int>("--gpus-per-node") { Description = "simulated GPUs per node, 1..64", HelpName = "N", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "single-GPU steps measured (one run each), 1..100000", HelpName = "N", DefaultValueFactory = _ => 2000 };
        var warmUp = new Option<int>("--warm-up") { Description = "steps run first and not counted", HelpName = "N", DefaultValueFactory = _ => 200 };
        var rate = new Option<int>("--rate") { Description = "submitted steps per second, 1..10000", HelpName = "N", DefaultValueFactory = _ => 100 };
        var timeout = new Option<double>("--timeout") { Description = "seconds the measured steps may take to finish after the last submit", HelpName = "SECONDS", DefaultValueFactory = _ => 120 };

        var command = new Command("placement", """
            Ready -> placed latency of the live scheduler: N simulated nodes (agents inside the driver, over the real
            NodeService.Connect stream) register G GPUs each in the default pool; runs of one single-GPU step are then
            submitted at a steady rate, each answered at once by its agent. Latency per step = StepPlaced - StepReady in the
            run's own events (server clock: the scheduler confirmed the placement on the node). Prints p50/p99/max and
            placements/s and a JSON line. Exit 1 if a step did not finish in time.
            """);
        foreach (var option in new Option[] { nodes, gpus, steps, warmUp, rate, timeout }) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = new PlacementSettings(
                LoadTestCli.Positive(parse, nodes, 5000), LoadTestCli.Positive(parse, gpus, 64), LoadTestCli.Positive(parse, steps, 100_000),
                WarmUp(parse.GetValue(warmUp)), LoadTestCli.Positive(parse, rate, 10_000), LoadTestCli.Seconds(parse, timeout, 1, 86_400),
                LoadTestCli.TenantOf(parse));
            return runWithServer(parse, "placement", (server, ct) => new PlacementBenchmark(server, settings, Console.Out).RunAsync(ct), cancellationToken);
        });
        return command;
    }

    private static int WarmUp(int value) =>
        value is >= 0 and <= 100_000 ? value : throw new UsageException($"--warm-up: {value} is out of range; use 0..100000");
}

/// <summary>What the placement benchmark runs.</summary>
/// <param name="Nodes">Simulated nodes.</param>
/// <param name="GpusPerNode">GPUs each.</param>
/// <param name="Steps">Measured steps.</param>
/// <param name="WarmUp">Steps before, not counted.</param>
/// <param name="Rate">Submits per second.</param>
/// <param name="Timeout">How long the last steps may take to finish.</param>
/// <param name="Tenant">Tenant of the pipeline and runs.</param>
internal sealed record PlacementSettings(int Nodes, int GpusPerNode, int Steps, int WarmUp, int Rate, TimeSpan Timeout, string Tenant);
