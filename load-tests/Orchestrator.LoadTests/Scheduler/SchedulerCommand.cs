using System.CommandLine;
using System.Globalization;

namespace Orchestrator.LoadTests.Scheduler;

/// <summary>The <c>scheduler</c> command: the scheduling core in-process, no server.</summary>
internal static class SchedulerCommand
{
    public static Command Create()
    {
        var nodes = new Option<string>("--nodes") { Description = "pool sizes, comma-separated (nodes of 8 GPUs)", HelpName = "N,N,...", DefaultValueFactory = _ => "10,100,1000,10000" };
        var queue = new Option<int>("--queue") { Description = "jobs queued at the start", HelpName = "N", DefaultValueFactory = _ => 100_000 };
        var naiveBudget = new Option<long>("--naive-budget") { Description = "the naive run's queue is capped at this ÷ nodes (its pass is queue × nodes)", HelpName = "CELLS", DefaultValueFactory = _ => 2_000_000 };
        var rounds = new Option<int>("--rounds") { Description = "runs per measurement; the median is reported", HelpName = "N", DefaultValueFactory = _ => 3 };
        var timePerRun = new Option<double>("--time-per-run") { Description = "a run stops refilling after this many seconds", HelpName = "SECONDS", DefaultValueFactory = _ => 20 };
        var seed = new Option<int>("--seed") { Description = "random seed of the workload and of which jobs finish", HelpName = "N", DefaultValueFactory = _ => 42 };

        var command = new Command("scheduler", """
            The scheduling core (PoolScheduler) in-process: a queue of single-replica jobs of 1-8 GPUs is placed on a pool of
            nodes of 8 GPUs; then about 1% of the running jobs finish at a time and a pass refills the pool, until the queue
            is empty. Reports placements/s and microseconds per placement of the core on the full queue, and of the core and
            the naive FirstFitPlacement on the same queue capped so the naive scan (queue x nodes per pass) finishes.
            """);
        foreach (var option in new Option[] { nodes, queue, naiveBudget, rounds, timePerRun, seed }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var settings = new SchedulerSettings(ParseNodes(parse.GetValue(nodes) ?? ""), LoadTestCli.Positive(parse, queue, 1_000_000),
                Math.Max(1, parse.GetValue(naiveBudget)), LoadTestCli.Positive(parse, rounds, 100), LoadTestCli.Seconds(parse, timePerRun, 0.1, 3600),
                parse.GetValue(seed));
            Console.Out.WriteLine($"Orchestrator load test 'scheduler': driver built {Hosting.BuildOutput.Configuration}, {Environment.ProcessorCount} cores");
            return new SchedulerBenchmark(settings, Console.Out).Run();
        });
        return command;
    }

    private static List<int> ParseNodes(string text)
    {
        var sizes = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 1 or > 100_000)
                throw new UsageException($"--nodes: '{part}' is not a pool size; give whole numbers from 1 to 100000, e.g. --nodes 10,100,1000,10000");
            sizes.Add(size);
        }

        return sizes.Count > 0 ? [.. sizes.Distinct().Order()] : throw new UsageException("--nodes: give at least one size, e.g. --nodes 10,1000");
    }
}
