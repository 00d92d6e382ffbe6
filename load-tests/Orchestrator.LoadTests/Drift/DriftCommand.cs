using System.CommandLine;

namespace Orchestrator.LoadTests.Drift;

/// <summary>The <c>drift</c> command: binning throughput of the drift core in-process, no server.</summary>
internal static class DriftCommand
{
    public static Command Create()
    {
        var features = new Option<int>("--features") { Description = "numeric features binned per record (default 20)", HelpName = "N", DefaultValueFactory = _ => 20 };
        var bins = new Option<int>("--bins") { Description = "quantile bins per feature (default 10)", HelpName = "N", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "measurements per binning path; the median is reported (default 3)", HelpName = "N", DefaultValueFactory = _ => 3 };
        var timePerRound = new Option<double>("--time-per-round") { Description = "seconds each measurement bins for (default 2)", HelpName = "SECONDS", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "random seed of the feature values (default 42)", HelpName = "N", DefaultValueFactory = _ => 42 };
        var command = new Command("drift", """
            The drift core's binning on one thread: batches of records with --features numeric features are binned into
            each feature's --bins reference-quantile bins (QuantileBinning.Accumulate, the monitors' path), beside a
            naive linear scan over the edges on the same batches. Reports binned values per second per core for both
            and checks that they counted the same.
            """);
        foreach (var option in new Option[] { features, bins, rounds, timePerRound, seed }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var settings = new DriftSettings(
                LoadTestCli.Positive(parse, features, 1000),
                Math.Max(2, LoadTestCli.Positive(parse, bins, 1000)),
                LoadTestCli.Positive(parse, rounds, 100),
                LoadTestCli.Seconds(parse, timePerRound, 0.05, 600),
                parse.GetValue(seed));
            Console.Out.WriteLine($"Orchestrator load test 'drift': driver built {Hosting.BuildOutput.Configuration}, {Environment.ProcessorCount} cores, 1 thread used");
            return new DriftBenchmark(settings, Console.Out).Run();
        });
        return command;
    }
}

/// <summary>What the drift benchmark runs.</summary>
internal sealed record DriftSettings(int Features, int Bins, int Rounds, TimeSpan TimePerRound, int Seed);
