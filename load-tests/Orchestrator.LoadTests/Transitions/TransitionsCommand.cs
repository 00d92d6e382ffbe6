using System.CommandLine;
using System.Globalization;
using Orchestrator.LoadTests.Hosting;

namespace Orchestrator.LoadTests.Transitions;

/// <summary>The <c>transitions</c> command and its options.</summary>
internal static class TransitionsCommand
{
    /// <summary>Creates the command; <paramref name="runWithServer"/> provides the server.</summary>
    public static Command Create(Func<ParseResult, string, Func<ServerUnderTest, CancellationToken, Task<int>>, CancellationToken, Task<int>> runWithServer)
    {
        var sizes = new Option<string>("--sizes") { Description = "fan-out sizes N, comma-separated (1..10000)", HelpName = "N,N,...", DefaultValueFactory = _ => "10,1000,10000" };
        var runs = new Option<int>("--runs") { Description = "most runs per size", HelpName = "N", DefaultValueFactory = _ => 20 };
        var timePerSize = new Option<double>("--time-per-size") { Description = "no new run of a size after this many seconds (one always runs)", HelpName = "SECONDS", DefaultValueFactory = _ => 30 };
        var warmUpRuns = new Option<int>("--warm-up-runs") { Description = "runs of N=10 (or the smallest size) before measuring", HelpName = "N", DefaultValueFactory = _ => 5 };
        var runTimeout = new Option<double>("--run-timeout") { Description = "seconds a run may take before the benchmark fails", HelpName = "SECONDS", DefaultValueFactory = _ => 600 };

        var command = new Command("transitions", """
            Step-transition cost against run size: a fake agent in the driver answers every assignment at once; runs of one
            step fanned out over N items (N in --sizes) are submitted in sequence and timed from submit to RunFinished.
            Cost per transition = wall / (N x 4: Ready, Placed, Started, Succeeded). Prints the cost per size, its growth
            from the smallest to the largest N, where the time went, and a JSON line. Exit 1 if a run failed or timed out.
            """);
        foreach (var option in new Option[] { sizes, runs, timePerSize, warmUpRuns, runTimeout }) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = new TransitionsSettings(
                ParseSizes(parse.GetValue(sizes) ?? ""), LoadTestCli.Positive(parse, runs, 10_000), LoadTestCli.Seconds(parse, timePerSize, 0, 86_400),
                WarmUpRuns(parse.GetValue(warmUpRuns)), LoadTestCli.Seconds(parse, runTimeout, 1, 86_400), LoadTestCli.TenantOf(parse));
            return runWithServer(parse, "transitions", (server, ct) => new TransitionsBenchmark(server, settings, Console.Out).RunAsync(ct), cancellationToken);
        });
        return command;
    }

    private static int WarmUpRuns(int value) =>
        value is >= 0 and <= 1000 ? value : throw new UsageException($"--warm-up-runs: {value} is out of range; use 0..1000");

    private static List<int> ParseSizes(string text)
    {
        var sizes = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 1 or > TransitionsSettings.MaxSize)
                throw new UsageException($"--sizes: '{part}' is not a size; give whole numbers from 1 to {TransitionsSettings.MaxSize}, e.g. --sizes 10,1000,10000");
            sizes.Add(size);
        }

        return sizes.Count > 0 ? [.. sizes.Distinct().Order()] : throw new UsageException("--sizes: give at least one size, e.g. --sizes 10,1000,10000");
    }
}
