using System.CommandLine;
using Orchestrator.LoadTests.Hosting;

namespace Orchestrator.LoadTests.Submit;

/// <summary>The <c>submit</c> command and its options.</summary>
internal static class SubmitCommand
{
    /// <summary>Creates the command; <paramref name="runWithServer"/> provides the server, <paramref name="runGuarded"/>
    /// runs the cluster comparison, which starts its own.</summary>
    public static Command Create(Func<ParseResult, string, Func<ServerUnderTest, CancellationToken, Task<int>>, CancellationToken, Task<int>> runWithServer,
        Func<ParseResult, string, Func<ServerLaunch?, CancellationToken, Task<int>>, CancellationToken, Task<int>> runGuarded)
    {
        var callers = new Option<int>("--callers") { Description = "concurrent callers (calls in flight)", HelpName = "C", DefaultValueFactory = _ => 256 };
        var channels = new Option<int>("--channels") { Description = "gRPC channels (HTTP/2 connections) the callers share", HelpName = "K", DefaultValueFactory = _ => 4 };
        var warmUp = new Option<double>("--warm-up") { Description = "seconds of load before each measured window", HelpName = "SECONDS", DefaultValueFactory = _ => 3 };
        var duration = new Option<double>("--duration") { Description = "seconds measured per window", HelpName = "SECONDS", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "rounds, each one submit and one echo window (order alternating)", HelpName = "N", DefaultValueFactory = _ => 3 };
        var maxCalls = new Option<int>("--max-calls") { Description = "most calls per window, warm-up included", HelpName = "N", DefaultValueFactory = _ => 1_000_000 };
        var serverWarmUp = new Option<double>("--server-warm-up") { Description = "seconds of submit, then of echo, before the first round (not counted)", HelpName = "SECONDS", DefaultValueFactory = _ => 5 };
        var cluster = new Option<int>("--cluster")
        {
            Description = $"also run it on a cluster of N silos in the redis profile (a redis-server started here), before one embedded server, and print the scaling; 1..{SubmitScaling.MaxSilos} (1: the redis profile's cost alone)",
            HelpName = "N",
        };
        var callTimeout = new Option<double>("--call-timeout") { Description = "deadline of each call, in seconds; a call past it is an error", HelpName = "SECONDS", DefaultValueFactory = _ => 30 };

        var command = new Command("submit", """
            Durable submissions per second (SubmitRun of a pipeline whose one step can never be placed, so runs stay
            queued) against DiagnosticsService.Echo with a payload of the same size, on the same server, in alternating
            rounds. Prints each window, the medians and the ratio submit/echo, and a JSON line. Exit 1 if any call failed.
            With --cluster N: first on N servers in the redis profile sharing a redis-server started here (the channels
            spread over their gateways), then on one embedded server, and the scaling N silos / 1 silo.
            """);
        foreach (var option in new Option[] { callers, channels, warmUp, duration, rounds, serverWarmUp, maxCalls, callTimeout, cluster }) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var clustered = parse.GetResult(cluster) is not null;
            var silos = parse.GetValue(cluster);
            if (clustered && (silos < 1 || silos > SubmitScaling.MaxSilos))
                throw new UsageException($"--cluster: {silos} is out of range; use 1..{SubmitScaling.MaxSilos} silos (without --cluster it runs on one embedded server only)");
            var channelCount = LoadTestCli.Positive(parse, channels, 256);
            // Every gateway gets as many channels as the others; one silo gets the same count, so both runs differ only in the servers.
            if (clustered) channelCount = (channelCount + silos - 1) / silos * silos;
            var settings = new SubmitSettings(
                LoadTestCli.Shape(LoadTestCli.Positive(parse, callers, 10_000), channelCount,
                    LoadTestCli.Seconds(parse, warmUp, 0, 600), LoadTestCli.Seconds(parse, duration, 0.1, 3600),
                    LoadTestCli.Positive(parse, maxCalls, int.MaxValue), LoadTestCli.Seconds(parse, callTimeout, 0.1, 600)),
                LoadTestCli.Positive(parse, rounds, 100), LoadTestCli.Seconds(parse, serverWarmUp, 0, 600), LoadTestCli.TenantOf(parse));
            if (clustered)
            {
                return runGuarded(parse, "submit --cluster", (launch, ct) => launch is null
                    ? throw new UsageException("--cluster: it starts its own servers; leave out --server")
                    : new SubmitScaling(launch, silos, settings, Console.Out).RunAsync(ct), cancellationToken);
            }

            return runWithServer(parse, "submit", (server, ct) => new SubmitBenchmark([server], settings, Console.Out).RunAsync(ct), cancellationToken);
        });
        return command;
    }
}
