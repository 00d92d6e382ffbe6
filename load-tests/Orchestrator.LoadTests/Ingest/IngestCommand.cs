using System.CommandLine;
using Orchestrator.LoadTests.Hosting;

namespace Orchestrator.LoadTests.Ingest;

/// <summary>The <c>ingest</c> command and its options.</summary>
internal static class IngestCommand
{
    /// <summary>Creates the command; <paramref name="runWithServer"/> provides the server.</summary>
    public static Command Create(Func<ParseResult, string, Func<ServerUnderTest, CancellationToken, Task<int>>, CancellationToken, Task<int>> runWithServer)
    {
        var models = new Option<int>("--models") { Description = "models registered (one monitor each)", HelpName = "M", DefaultValueFactory = _ => 100 };
        var features = new Option<int>("--features") { Description = "numeric features per record", HelpName = "F", DefaultValueFactory = _ => 20 };
        var streams = new Option<int>("--streams") { Description = "concurrent client streams", HelpName = "S", DefaultValueFactory = _ => 8 };
        var channels = new Option<int>("--channels") { Description = "gRPC channels (HTTP/2 connections) the streams share", HelpName = "K", DefaultValueFactory = _ => 8 };
        var batch = new Option<int>("--batch") { Description = "records per batch (at most 10,000)", HelpName = "N", DefaultValueFactory = _ => 1_000 };
        var warmUp = new Option<double>("--warm-up") { Description = "seconds of streaming before each measured window", HelpName = "SECONDS", DefaultValueFactory = _ => 3 };
        var duration = new Option<double>("--duration") { Description = "seconds measured per window", HelpName = "SECONDS", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "rounds, each one window of every path (order alternating)", HelpName = "N", DefaultValueFactory = _ => 3 };
        var serverWarmUp = new Option<double>("--server-warm-up") { Description = "seconds of each path before the first round (not counted)", HelpName = "SECONDS", DefaultValueFactory = _ => 5 };

        var paths = new Option<string>("--paths")
        {
            Description = "the paths measured, comma-separated: columns, columns-sink, records, records-sink", HelpName = "LIST",
            DefaultValueFactory = _ => string.Join(',', IngestSettings.AllPaths),
        };

        var command = new Command("ingest", """
            Prediction records per second through MonitoringService.StreamPredictions end to end (gateway, monitor grains,
            windows) in both forms of a batch, records (a map per record) and columns (names once, values packed), each
            beside DiagnosticsService.Sink taking the same bytes and only counting them, in alternating rounds. Messages are
            encoded before the measurement. Prints each window, the medians, the server's CPU share and the ratios, checks
            that every model's monitor counted every record sent (GetDrift: closed windows + open records), and a JSON line.
            Exit 1 if any stream failed or a monitor's count is off.
            """);
        foreach (var option in new Option[] { models, features, streams, channels, batch, warmUp, duration, rounds, serverWarmUp, paths }) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var streamCount = LoadTestCli.Positive(parse, streams, 1_000);
            var channelCount = LoadTestCli.Positive(parse, channels, 256);
            if (channelCount > streamCount) throw new UsageException($"--channels: {channelCount} is more than --streams {streamCount}; use at most one channel per stream");
            var chosen = (parse.GetValue(paths) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
            if (chosen.Count == 0 || chosen.FirstOrDefault(p => !IngestSettings.AllPaths.Contains(p)) is { } unknown)
                throw new UsageException($"--paths: give one or more of {string.Join(", ", IngestSettings.AllPaths)}, comma-separated");
            var settings = new IngestSettings(LoadTestCli.Positive(parse, models, 10_000), LoadTestCli.Positive(parse, features, 1_000), streamCount, channelCount,
                LoadTestCli.Positive(parse, batch, 10_000), LoadTestCli.Seconds(parse, warmUp, 0, 600), LoadTestCli.Seconds(parse, duration, 0.1, 3600),
                LoadTestCli.Positive(parse, rounds, 100), LoadTestCli.Seconds(parse, serverWarmUp, 0, 600), LoadTestCli.TenantOf(parse), chosen);
            return runWithServer(parse, "ingest", (server, ct) => new IngestBenchmark(server, settings, Console.Out).RunAsync(ct), cancellationToken);
        });
        return command;
    }
}
