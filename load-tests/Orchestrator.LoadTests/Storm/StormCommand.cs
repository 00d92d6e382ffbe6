using System.CommandLine;
using Orchestrator.LoadTests.Hosting;

namespace Orchestrator.LoadTests.Storm;

/// <summary>The <c>storm</c> command and its options.</summary>
internal static class StormCommand
{
    /// <summary>Creates the command; <paramref name="runWithServer"/> provides the server.</summary>
    public static Command Create(Func<ParseResult, string, Func<ServerUnderTest, CancellationToken, Task<int>>, CancellationToken, Task<int>> runWithServer)
    {
        var models = new Option<int>("--models") { Description = "models that drift at once, 1..10000", HelpName = "N", DefaultValueFactory = _ => 1000 };
        var tenants = new Option<int>("--tenants") { Description = "tenants the models are spread over, 1..100", HelpName = "N", DefaultValueFactory = _ => 5 };
        var maxConcurrent = new Option<int>("--max-concurrent") { Description = "budget: retraining runs at once, 1..10000", HelpName = "N", DefaultValueFactory = _ => 50 };
        var perTenant = new Option<int>("--per-tenant") { Description = "budget: retraining runs at once per tenant, 1..10000", HelpName = "N", DefaultValueFactory = _ => 20 };
        var perMinute = new Option<int>("--per-minute") { Description = "budget: retraining runs started per minute, 1..1000000", HelpName = "N", DefaultValueFactory = _ => 600 };
        var burst = new Option<int>("--burst") { Description = "budget: starts allowed at once, 1..10000", HelpName = "N", DefaultValueFactory = _ => 50 };
        var retrainSeconds = new Option<double>("--retrain-seconds") { Description = "how long a simulated retraining step runs", HelpName = "SECONDS", DefaultValueFactory = _ => 5 };
        var ordinaryRate = new Option<int>("--ordinary-rate") { Description = "ordinary runs submitted per second, 1..1000", HelpName = "N", DefaultValueFactory = _ => 20 };
        var calm = new Option<double>("--calm") { Description = "seconds of ordinary runs measured before the storm", HelpName = "SECONDS", DefaultValueFactory = _ => 15 };
        var spread = new Option<double>("--spread") { Description = "seconds over which the storm's windows close (0..60)", HelpName = "SECONDS", DefaultValueFactory = _ => 10 };
        var timeout = new Option<double>("--timeout") { Description = "seconds the retraining runs may take to be submitted after the last window closed", HelpName = "SECONDS", DefaultValueFactory = _ => 300 };

        var command = new Command("storm", """
            Retraining storm: M models (each with a baseline profile, a champion and a retraining policy retraining on one
            drifted window) are made to close a drifted window within one minute, while ordinary runs arrive at a steady
            rate. Measures, from server timestamps, window close -> retraining run submitted (p50/p99/max) for the models the
            budget granted at once and for those it queued; checks one retraining run per model and that the budget's
            limits held (sampled); compares ordinary runs' ready -> placed latency in a calm phase and during the storm.
            Simulated agents in the driver run every step (retraining steps for --retrain-seconds). Exit 1 on a duplicate,
            a missing retraining run, a budget limit exceeded or a failed call.
            """);
        foreach (var option in new Option[] { models, tenants, maxConcurrent, perTenant, perMinute, burst, retrainSeconds, ordinaryRate, calm, spread, timeout })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = new StormSettings(
                LoadTestCli.Positive(parse, models, 10_000), LoadTestCli.Positive(parse, tenants, 100), LoadTestCli.Positive(parse, maxConcurrent, 10_000),
                LoadTestCli.Positive(parse, perTenant, 10_000), LoadTestCli.Positive(parse, perMinute, 1_000_000), LoadTestCli.Positive(parse, burst, 10_000),
                LoadTestCli.Seconds(parse, retrainSeconds, 0, 3_600), LoadTestCli.Positive(parse, ordinaryRate, 1_000), LoadTestCli.Seconds(parse, calm, 1, 3_600),
                LoadTestCli.Seconds(parse, spread, 0, 60), LoadTestCli.Seconds(parse, timeout, 1, 86_400), LoadTestCli.TenantOf(parse));
            return runWithServer(parse, "storm", (server, ct) => new StormBenchmark(server, settings, Console.Out).RunAsync(ct), cancellationToken);
        });
        return command;
    }
}
